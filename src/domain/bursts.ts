import type { Move, NewStack, PlannedEvent, StackChange, StackPlan, StackState } from './stacks.js';

/**
 * Burst detection (§3.14): rapid-fire shots of one moment become an `auto_burst` stack.
 *
 * - Same camera: make and model, compared case-insensitively after trimming.
 * - Close in time: consecutive shots at most `maxGapMs` apart chain into one burst (cameras
 *   that store whole seconds give gaps of 0 or 1000 ms, so shots in the same or the next
 *   second chain); a chain longer than `maxSpanMs` starts a new burst, so an interval timer
 *   or a time-lapse never becomes one endless stack.
 * - The camera's own burst id (`metadata.auto_stack_id`: Apple BurstUUID, XMP BurstID,
 *   MakerNotes AutoStackID) groups its shots whatever their timestamps.
 * Both relations are merged (union-find); a group needs at least two shots.
 */
export interface Shot {
  id: string;
  make: string | null;
  model: string | null;
  /** Capture wall clock in milliseconds (one camera's clock: offsets do not matter), null when unknown. */
  time: number | null;
  autoStackId: string | null;
}

export interface BurstOptions {
  maxGapMs: number;
  maxSpanMs: number;
}

export const BURST_DEFAULTS: BurstOptions = { maxGapMs: 1000, maxSpanMs: 60_000 };

export function cameraKey(shot: Pick<Shot, 'make' | 'model'>): string | null {
  const make = shot.make?.trim().toLowerCase() ?? '';
  const model = shot.model?.trim().toLowerCase() ?? '';
  return make === '' && model === '' ? null : `${make}\u0000${model}`;
}

/** A wall clock `YYYY-MM-DDTHH:MM:SS[.mmm]` as milliseconds on a zone-free axis. */
export function wallClockMs(wall: string): number | null {
  const ms = Date.parse(`${wall}Z`);
  return Number.isFinite(ms) ? ms : null;
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

const byTimeThenId = (a: Shot, b: Shot) => (a.time ?? Infinity) - (b.time ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Groups of at least two shot ids, each in capture order, the groups in order of their first shot. */
export function detectBursts(shots: readonly Shot[], options: BurstOptions = BURST_DEFAULTS): string[][] {
  const uf = new UnionFind();
  const byCamera = new Map<string, Shot[]>();
  const byBurstId = new Map<string, string>();
  for (const shot of shots) {
    uf.find(shot.id);
    const camera = cameraKey(shot);
    if (camera !== null && shot.time !== null) {
      if (!byCamera.has(camera)) byCamera.set(camera, []);
      byCamera.get(camera)!.push(shot);
    }
    const burstId = shot.autoStackId?.trim();
    if (burstId) {
      const first = byBurstId.get(burstId);
      if (first === undefined) byBurstId.set(burstId, shot.id);
      else uf.union(first, shot.id);
    }
  }
  for (const run of byCamera.values()) {
    run.sort(byTimeThenId);
    let start = run[0]!;
    for (let i = 1; i < run.length; i++) {
      const prev = run[i - 1]!;
      const shot = run[i]!;
      if (shot.time! - prev.time! <= options.maxGapMs && shot.time! - start.time! <= options.maxSpanMs) uf.union(prev.id, shot.id);
      else start = shot;
    }
  }
  const groups = new Map<string, Shot[]>();
  for (const shot of shots) {
    const root = uf.find(shot.id);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(shot);
  }
  return [...groups.values()]
    .filter((g) => g.length >= 2)
    .map((g) => g.sort(byTimeThenId))
    .sort((a, b) => byTimeThenId(a[0]!, b[0]!))
    .map((g) => g.map((s) => s.id));
}

/**
 * Turns detected bursts into a stack plan against the library's current `auto_burst` stacks
 * (shots in `user` stacks must not be among the candidates). Each burst keeps the existing
 * auto stack it overlaps most (ties: the smaller id), so re-detection is stable; bursts with
 * none get a new stack (no pinned cover); auto stacks no burst kept dissolve; auto-stacked
 * shots in no burst leave their stack.
 */
export function planBurstStacks(
  bursts: readonly string[][],
  autoStacks: readonly StackState[],
  stackOf: ReadonlyMap<string, string | null>,
  newId: () => string,
): StackPlan {
  const pairs: { burst: number; stack: StackState; overlap: number }[] = [];
  bursts.forEach((burst, i) => {
    const members = new Set(burst);
    for (const stack of autoStacks) {
      const overlap = stack.members.filter((m) => members.has(m)).length;
      if (overlap > 0) pairs.push({ burst: i, stack, overlap });
    }
  });
  pairs.sort((a, b) => b.overlap - a.overlap || (a.stack.id < b.stack.id ? -1 : a.stack.id > b.stack.id ? 1 : 0) || a.burst - b.burst);
  const stackOfBurst = new Map<number, string>();
  const kept = new Set<string>();
  for (const p of pairs) {
    if (stackOfBurst.has(p.burst) || kept.has(p.stack.id)) continue;
    stackOfBurst.set(p.burst, p.stack.id);
    kept.add(p.stack.id);
  }

  const creates: NewStack[] = [];
  const target = new Map<string, string | null>();
  bursts.forEach((burst, i) => {
    let id = stackOfBurst.get(i);
    if (id === undefined) {
      id = newId();
      creates.push({ id, origin: 'auto_burst', primary_asset_id: null });
    }
    for (const asset of burst) target.set(asset, id);
  });
  for (const stack of autoStacks) for (const m of stack.members) if (!target.has(m)) target.set(m, null);

  const moves: Move[] = [];
  const touched = new Set<string>();
  for (const [asset, to] of target) {
    const from = stackOf.get(asset) ?? null;
    if (from === to) continue;
    moves.push({ asset_id: asset, from, to });
    if (from) touched.add(from);
    if (to) touched.add(to);
  }

  const updates: StackChange[] = [];
  const deletes: { id: string; version: number }[] = [];
  for (const stack of autoStacks) {
    if (!kept.has(stack.id)) deletes.push({ id: stack.id, version: stack.version });
    else if (touched.has(stack.id)) updates.push({ id: stack.id, version: stack.version });
  }
  const events: PlannedEvent[] = [
    ...creates.map((c): PlannedEvent => ({ entity_type: 'stack', event_type: 'stack_created', entity_id: c.id })),
    ...moves.map((m): PlannedEvent => ({ entity_type: 'asset', event_type: 'asset_updated', entity_id: m.asset_id, stack_id: m.to })),
    ...updates.map((u): PlannedEvent => ({ entity_type: 'stack', event_type: 'stack_updated', entity_id: u.id })),
    ...deletes.map((d): PlannedEvent => ({ entity_type: 'stack', event_type: 'stack_deleted', entity_id: d.id })),
  ];
  return { creates, updates, deletes, moves, events };
}
