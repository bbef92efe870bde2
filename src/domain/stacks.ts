/**
 * Stack membership rules (spec §1.15, §3.14) as pure planning: given what the database said
 * (a snapshot) and what the caller asked, say which rows change and which events follow, in
 * order. The service applies a plan in one transaction, guarded by the versions it was made from.
 */
export type StackOrigin = 'auto_burst' | 'user';

export interface StackState {
  id: string;
  origin: StackOrigin;
  primary_asset_id: string | null;
  /** Optimistic-concurrency token: bumped by every change to the stack or its membership. */
  version: number;
  /** Every member, trashed ones included (they count when deciding dissolution). */
  members: readonly string[];
}

export interface StackSnapshot {
  /** The stack of every asset the plan may move; absent or null = in no stack. */
  stackOf: ReadonlyMap<string, string | null>;
  stacks: ReadonlyMap<string, StackState>;
}

export interface NewStack {
  id: string;
  origin: StackOrigin;
  primary_asset_id: string | null;
}

/** A change to an existing stack; `version` is the one the plan was made from. */
export interface StackChange {
  id: string;
  version: number;
  origin?: StackOrigin;
  primary_asset_id?: string | null;
}

export interface Move {
  asset_id: string;
  from: string | null;
  to: string | null;
}

export type PlannedEvent =
  | { entity_type: 'asset'; event_type: 'asset_updated'; entity_id: string; stack_id: string | null }
  | { entity_type: 'stack'; event_type: 'stack_created' | 'stack_updated' | 'stack_deleted'; entity_id: string };

export interface StackPlan {
  creates: NewStack[];
  /** Stacks that stay, changed (membership, origin or cover): each bumps its version. */
  updates: StackChange[];
  /** Stacks that dissolve. */
  deletes: { id: string; version: number }[];
  moves: Move[];
  /** In feed order: members' `asset_updated` always precede their stack's `stack_deleted`. */
  events: PlannedEvent[];
}

export const MIN_MEMBERS = 2;

export const isNoop = (plan: StackPlan) => plan.creates.length + plan.updates.length + plan.deletes.length + plan.moves.length === 0;

function stackOrThrow(snapshot: StackSnapshot, id: string): StackState {
  const stack = snapshot.stacks.get(id);
  if (!stack) throw new Error(`stack ${id} is not in the snapshot`);
  return stack;
}

const stackOf = (snapshot: StackSnapshot, assetId: string) => snapshot.stackOf.get(assetId) ?? null;
const assetEvent = (asset_id: string, stack_id: string | null): PlannedEvent => ({ entity_type: 'asset', event_type: 'asset_updated', entity_id: asset_id, stack_id });
const stackEvent = (id: string, event_type: 'stack_created' | 'stack_updated' | 'stack_deleted'): PlannedEvent => ({ entity_type: 'stack', event_type, entity_id: id });

/**
 * The assets `incoming` brings into `targetId`: each one not already there, and, for an asset
 * that is another stack's pinned cover, that whole stack (it is folded in). Request order,
 * then each folded stack's member order.
 */
function incomingMembers(snapshot: StackSnapshot, targetId: string | null, incoming: readonly string[]): string[] {
  const moved: string[] = [];
  const seen = new Set<string>();
  const take = (id: string) => {
    if (seen.has(id) || (targetId !== null && stackOf(snapshot, id) === targetId)) return;
    seen.add(id);
    moved.push(id);
  };
  for (const id of incoming) {
    const from = stackOf(snapshot, id);
    if (from !== null && from === targetId) continue;
    const source = from === null ? undefined : stackOrThrow(snapshot, from);
    if (source && source.primary_asset_id === id) source.members.forEach(take);
    else take(id);
  }
  return moved;
}

/**
 * What happens to the stacks `moved` assets leave: a stack keeping at least two members
 * (trashed ones count) stays and becomes `origin` (user, for any user edit); one left with
 * fewer dissolves, its remaining members leaving it too.
 */
function settleSources(snapshot: StackSnapshot, moved: readonly string[], exclude: string | null, origin: StackOrigin | undefined, plan: StackPlan): void {
  const leaving = new Map<string, Set<string>>();
  for (const id of moved) {
    const from = stackOf(snapshot, id);
    if (from === null || from === exclude) continue;
    if (!leaving.has(from)) leaving.set(from, new Set());
    leaving.get(from)!.add(id);
  }
  for (const [id, gone] of leaving) {
    const source = stackOrThrow(snapshot, id);
    const remaining = source.members.filter((m) => !gone.has(m));
    if (remaining.length < MIN_MEMBERS) {
      dissolve(source, remaining, plan);
    } else {
      const change: StackChange = { id, version: source.version };
      if (origin) change.origin = origin;
      if (source.primary_asset_id !== null && gone.has(source.primary_asset_id)) change.primary_asset_id = null;
      plan.updates.push(change);
      plan.events.push(stackEvent(id, 'stack_updated'));
    }
  }
}

function dissolve(stack: StackState, remaining: readonly string[], plan: StackPlan): void {
  for (const m of remaining) {
    plan.moves.push({ asset_id: m, from: stack.id, to: null });
    plan.events.push(assetEvent(m, null));
  }
  plan.deletes.push({ id: stack.id, version: stack.version });
  plan.events.push(stackEvent(stack.id, 'stack_deleted'));
}

function fresh(): StackPlan {
  return { creates: [], updates: [], deletes: [], moves: [], events: [] };
}

/** POST /api/stacks: a new `user` stack of `assetIds`, reconciling the stacks they come from. */
export function planCreate(snapshot: StackSnapshot, input: { id: string; assetIds: readonly string[]; primaryAssetId: string | null }): StackPlan {
  const plan = fresh();
  const moved = incomingMembers(snapshot, null, input.assetIds);
  plan.creates.push({ id: input.id, origin: 'user', primary_asset_id: input.primaryAssetId });
  plan.events.push(stackEvent(input.id, 'stack_created'));
  for (const id of moved) {
    plan.moves.push({ asset_id: id, from: stackOf(snapshot, id), to: input.id });
    plan.events.push(assetEvent(id, input.id));
  }
  settleSources(snapshot, moved, null, 'user', plan);
  return plan;
}

/** POST /api/stacks/{id}/assets: members already there are skipped; a real change makes it `user`. */
export function planAdd(snapshot: StackSnapshot, targetId: string, assetIds: readonly string[]): StackPlan {
  const target = stackOrThrow(snapshot, targetId);
  const moved = incomingMembers(snapshot, targetId, assetIds);
  if (moved.length === 0) return fresh();
  const plan = fresh();
  for (const id of moved) {
    plan.moves.push({ asset_id: id, from: stackOf(snapshot, id), to: targetId });
    plan.events.push(assetEvent(id, targetId));
  }
  plan.updates.push({ id: targetId, version: target.version, origin: 'user' });
  plan.events.push(stackEvent(targetId, 'stack_updated'));
  settleSources(snapshot, moved, targetId, 'user', plan);
  return plan;
}

/**
 * DELETE /api/stacks/{id}/assets: non-members are ignored; removing the pinned cover clears the
 * pin; a stack left with fewer than two members (trashed ones count) dissolves.
 */
export function planRemove(snapshot: StackSnapshot, targetId: string, assetIds: readonly string[]): StackPlan {
  const target = stackOrThrow(snapshot, targetId);
  const gone = new Set(assetIds.filter((id) => target.members.includes(id)));
  if (gone.size === 0) return fresh();
  const plan = fresh();
  for (const id of target.members.filter((m) => gone.has(m))) {
    plan.moves.push({ asset_id: id, from: targetId, to: null });
    plan.events.push(assetEvent(id, null));
  }
  settleSources(snapshot, [...gone], null, 'user', plan);
  return plan;
}

/** PATCH /api/stacks/{id}: pins the cover and freezes the stack as `user`; unchanged = no-op. */
export function planSetCover(snapshot: StackSnapshot, targetId: string, primaryAssetId: string): StackPlan {
  const target = stackOrThrow(snapshot, targetId);
  if (target.primary_asset_id === primaryAssetId && target.origin === 'user') return fresh();
  return { ...fresh(), updates: [{ id: targetId, version: target.version, origin: 'user', primary_asset_id: primaryAssetId }], events: [stackEvent(targetId, 'stack_updated')] };
}

/** DELETE /api/stacks/{id}: every member leaves (each gets an event), then the stack goes. */
export function planDissolve(snapshot: StackSnapshot, targetId: string): StackPlan {
  const plan = fresh();
  const target = stackOrThrow(snapshot, targetId);
  dissolve(target, target.members, plan);
  return plan;
}

/**
 * Permanent deletion of assets: their stacks lose them (no events for the deleted assets
 * themselves, which get `asset_deleted`); a deleted pinned cover clears the pin; a stack left
 * with fewer than two members dissolves. Origin is untouched: this is not a stack edit.
 */
export function planDetachDeleted(snapshot: StackSnapshot, deletedIds: readonly string[]): StackPlan {
  const plan = fresh();
  settleSources(snapshot, deletedIds, null, undefined, plan);
  // The deleted rows themselves need no move; only their companions do.
  const deleted = new Set(deletedIds);
  plan.moves = plan.moves.filter((m) => !deleted.has(m.asset_id));
  plan.events = plan.events.filter((e) => e.entity_type !== 'asset' || !deleted.has(e.entity_id));
  return plan;
}
