import { newId } from '../domain/ids.js';
import {
  isNoop,
  planAdd,
  planCreate,
  planDetachDeleted,
  planDissolve,
  planRemove,
  planSetCover,
  type StackPlan,
  type StackSnapshot,
  type StackState,
} from '../domain/stacks.js';
import { Conflict, NotFound, unprocessable } from '../http/errors.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import * as eventStore from '../store/events.js';
import type { Executor, Tx } from '../store/schema.js';
import * as stackStore from '../store/stacks.js';
import type { StackRow } from '../store/stacks.js';
import { type Deps, nowText, type Principal } from './deps.js';
import * as libraries from './libraries.js';

export interface StackView {
  stack: StackRow;
  /** Live members only (§2.15). */
  asset_count: number;
}

type StackDeps = Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>;

export interface ListInput {
  library_id?: string;
  ids?: string[];
  origin?: 'auto_burst' | 'user';
  primary_asset_id?: string;
  limit: number;
  starting_after_id?: string;
}

async function withCounts(db: Executor, rows: StackRow[]): Promise<StackView[]> {
  const counts = await stackStore.liveCounts(db, rows.map((r) => r.id));
  return rows.map((stack) => ({ stack, asset_count: counts.get(stack.id) ?? 0 }));
}

export async function list(deps: StackDeps, who: Principal, input: ListInput): Promise<{ data: StackView[]; has_more: boolean }> {
  const library = await libraries.resolve(deps, who, input.library_id);
  const rows = await stackStore.list(deps.db, {
    libraryId: library.id,
    ids: input.ids,
    origin: input.origin,
    primaryAssetId: input.primary_asset_id,
    afterId: input.starting_after_id,
    limit: input.limit + 1,
  });
  return { data: await withCounts(deps.db, rows.slice(0, input.limit)), has_more: rows.length > input.limit };
}

async function findStack(db: Executor, who: Principal, id: string, since?: number): Promise<StackRow> {
  const stack = await stackStore.findInLibraries(db, who, id);
  if (stack) return stack;
  // Dissolved after this request arrived: a concurrent edit won, and retrying cannot help.
  if (since !== undefined && (await eventStore.entityEventsSince(db, since, 'stack', [id])).some((e) => e.event_type === 'stack_deleted')) throw GONE();
  throw new NotFound('Stack not found');
}

/**
 * A point in the change history (the event feed's sequence). Stack edits take it when the
 * request arrives and are judged against the stacks as they were then: an edit whose stacks
 * another request changed after that point is refused (409) instead of being applied to a
 * state its caller never saw.
 */
export const changePoint = (deps: Pick<Deps, 'db'>): Promise<number> => eventStore.lastSeq(deps.db);

/** 409 when any of `stackIds` changed after `since` (a concurrent edit committed first); terminal when that dissolved the target. */
async function assertUnchangedSince(db: Executor, since: number | undefined, stackIds: Iterable<string>, targetId: string | undefined): Promise<void> {
  if (since === undefined) return;
  const changes = await eventStore.entityEventsSince(db, since, 'stack', [...stackIds]);
  if (changes.some((e) => e.entity_id === targetId && e.event_type === 'stack_deleted')) throw GONE();
  if (changes.length) throw new Conflict(RETRY, true);
}

export async function get(deps: Pick<Deps, 'db'>, who: Principal, id: string): Promise<StackView> {
  const [view] = await withCounts(deps.db, [await findStack(deps.db, who, id)]);
  return view;
}

interface Read {
  snapshot: StackSnapshot;
  assets: Map<string, AssetRow>;
}

/**
 * What a plan is made from, read before its transaction: the named assets, the stacks they
 * and `stackIds` are in (versions read BEFORE members, so a membership change after the
 * version read can only make the version guard fail, never pass on stale members).
 */
async function read(db: Executor, libraryId: string, assetIds: string[], stackIds: string[]): Promise<Read> {
  const rows = await assetStore.findByIds(db, libraryId, [...new Set(assetIds)]);
  const ids = [...new Set([...stackIds, ...rows.flatMap((a) => (a.stack_id ? [a.stack_id] : []))])];
  const stacks = (await stackStore.findByIds(db, ids)).filter((s) => s.library_id === libraryId);
  return { snapshot: await snapshotOf(db, stacks, rows), assets: new Map(rows.map((a) => [a.id, a])) };
}

export async function snapshotOf(db: Executor, stacks: StackRow[], assets: Pick<AssetRow, 'id' | 'stack_id'>[]): Promise<StackSnapshot> {
  const members = await stackStore.members(db, stacks.map((s) => s.id));
  const stackOf = new Map<string, string | null>(assets.map((a) => [a.id, a.stack_id]));
  const byStack = new Map<string, string[]>(stacks.map((s) => [s.id, []]));
  for (const m of members) {
    stackOf.set(m.id, m.stack_id);
    byStack.get(m.stack_id!)?.push(m.id);
  }
  const states = new Map<string, StackState>(
    stacks.map((s) => [s.id, { id: s.id, origin: s.origin, primary_asset_id: s.primary_asset_id, version: s.version, members: byStack.get(s.id)! }]),
  );
  return { stackOf, stacks: states };
}

const RETRY = 'The stack changed while this request ran; nothing was written, retry the request';
const GONE = () => new Conflict('The stack no longer exists: another request dissolved it', false);

function isDatabaseConflict(err: unknown): boolean {
  // PostgreSQL serialization failure or deadlock: another transaction won.
  const code = (err as { code?: unknown })?.code;
  return code === '40001' || code === '40P01';
}

/**
 * Writes a plan in the caller's transaction: each existing stack it changes must still be at
 * the version the plan was made from, and each asset it moves must still be where the plan
 * found it; otherwise 409 and the transaction rolls back (nothing written). Stacks are
 * written before assets, each in id order, so concurrent writers take row locks in one order.
 */
export async function applyPlan(trx: Tx, deps: Pick<Deps, 'dialect'>, libraryId: string, plan: StackPlan, now: string, targetId?: string): Promise<void> {
  for (const c of plan.creates) {
    await stackStore.insert(trx, { ...c, library_id: libraryId, version: 0, created_at: now, updated_at: now });
  }
  const writes = [
    ...plan.updates.map((u) => ({ id: u.id, run: () => stackStore.updateIfVersion(trx, u.id, u.version, { origin: u.origin, primary_asset_id: u.primary_asset_id }, now) })),
    ...plan.deletes.map((d) => ({ id: d.id, run: () => stackStore.deleteIfVersion(trx, d.id, d.version) })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const w of writes) {
    if (await w.run()) continue;
    if (w.id === targetId && !(await stackStore.exists(trx, w.id))) throw GONE();
    throw new Conflict(RETRY, true);
  }
  for (const m of [...plan.moves].sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1))) {
    if (!(await stackStore.moveAsset(trx, m.asset_id, m.from, m.to, now))) throw new Conflict(RETRY, true);
  }
  await eventStore.append(
    trx,
    deps.dialect,
    now,
    plan.events.map((e) =>
      e.entity_type === 'asset'
        ? { library_id: libraryId, entity_type: 'asset' as const, entity_id: e.entity_id, event_type: e.event_type, payload: { stack_id: e.stack_id } }
        : { library_id: libraryId, entity_type: 'stack' as const, entity_id: e.entity_id, event_type: e.event_type },
    ),
  );
}

/** Runs `work` in one transaction; a database-level write conflict becomes a retryable 409. */
export async function inTransaction<T>(deps: Pick<Deps, 'db'>, work: (trx: Tx) => Promise<T>): Promise<T> {
  try {
    return await deps.db.transaction().execute(work);
  } catch (err) {
    if (isDatabaseConflict(err)) throw new Conflict(RETRY, true);
    throw err;
  }
}

/** How a plan was made: from which snapshot, for which target, as of which change point. */
interface Basis {
  libraryId: string;
  snapshot: StackSnapshot;
  targetId?: string;
  since?: number;
}

/** Applies a plan unless it changes nothing: unchanged since the request arrived, then guarded writes. */
async function applyIfChanging(trx: Tx, deps: StackDeps, basis: Basis, plan: StackPlan): Promise<void> {
  if (isNoop(plan)) return;
  await assertUnchangedSince(trx, basis.since, basis.snapshot.stacks.keys(), basis.targetId);
  await applyPlan(trx, deps, basis.libraryId, plan, nowText(deps), basis.targetId);
}

/** Applies `plan` and reads the stack back in the same transaction. */
async function commit(deps: StackDeps, basis: Basis, plan: StackPlan, stackId: string): Promise<StackView> {
  return inTransaction(deps, async (trx) => {
    await applyIfChanging(trx, deps, basis, plan);
    const [row] = await stackStore.findByIds(trx, [stackId]);
    if (!row) throw GONE();
    const [view] = await withCounts(trx, [row]);
    return view;
  });
}

function requireFound(assetIds: string[], found: Map<string, AssetRow>): void {
  const missing = [...new Set(assetIds)].filter((id) => !found.has(id));
  if (missing.length) throw new NotFound(`Assets not found: ${missing.join(', ')}`);
}

export interface CreateInput {
  asset_ids: string[];
  primary_asset_id?: string | null;
  library_id?: string;
}

/** POST /api/stacks (§1.15). */
export async function create(deps: StackDeps, who: Principal, input: CreateInput, since?: number): Promise<StackView> {
  const distinct = [...new Set(input.asset_ids)];
  if (distinct.length < 2) throw unprocessable(['body', 'asset_ids'], 'A stack needs at least two distinct assets', 'value_error', input.asset_ids);
  const primary = input.primary_asset_id ?? null;
  if (primary !== null && !distinct.includes(primary)) {
    throw unprocessable(['body', 'primary_asset_id'], 'primary_asset_id must be one of asset_ids', 'value_error', primary);
  }
  const library = await libraries.resolve(deps, who, input.library_id);
  const { snapshot, assets } = await read(deps.db, library.id, distinct, []);
  requireFound(distinct, assets);
  if (primary !== null && assets.get(primary)!.trashed_at !== null) {
    throw unprocessable(['body', 'primary_asset_id'], 'The cover must be a live asset, not one in the trash', 'value_error', primary);
  }
  const id = newId('asset_stack');
  return commit(deps, { libraryId: library.id, snapshot, since }, planCreate(snapshot, { id, assetIds: distinct, primaryAssetId: primary }), id);
}

/** POST /api/stacks/{id}/assets. */
export async function addAssets(deps: StackDeps, who: Principal, stackId: string, assetIds: string[], since?: number): Promise<StackView> {
  const stack = await findStack(deps.db, who, stackId, since);
  const { snapshot, assets } = await read(deps.db, stack.library_id, assetIds, [stack.id]);
  requireFound(assetIds, assets);
  if (!snapshot.stacks.has(stack.id)) throw GONE();
  return commit(deps, { libraryId: stack.library_id, snapshot, targetId: stack.id, since }, planAdd(snapshot, stack.id, assetIds), stack.id);
}

/** DELETE /api/stacks/{id}/assets: non-members are ignored; the stack may dissolve. */
export async function removeAssets(deps: StackDeps, who: Principal, stackId: string, assetIds: string[], since?: number): Promise<void> {
  const stack = await findStack(deps.db, who, stackId, since);
  const { snapshot } = await read(deps.db, stack.library_id, [], [stack.id]);
  if (!snapshot.stacks.has(stack.id)) throw GONE();
  const plan = planRemove(snapshot, stack.id, assetIds);
  if (isNoop(plan)) return;
  await inTransaction(deps, (trx) => applyIfChanging(trx, deps, { libraryId: stack.library_id, snapshot, targetId: stack.id, since }, plan));
}

/** PATCH /api/stacks/{id}: pin a live current member as the cover; the stack becomes `user`. */
export async function setCover(deps: StackDeps, who: Principal, stackId: string, primaryAssetId: string, since?: number): Promise<StackView> {
  const stack = await findStack(deps.db, who, stackId, since);
  const { snapshot, assets } = await read(deps.db, stack.library_id, [primaryAssetId], [stack.id]);
  const cover = assets.get(primaryAssetId);
  if (!cover || cover.stack_id !== stack.id || cover.trashed_at !== null) {
    throw unprocessable(['body', 'primary_asset_id'], 'The cover must be a live member of this stack', 'value_error', primaryAssetId);
  }
  if (!snapshot.stacks.has(stack.id)) throw GONE();
  return commit(deps, { libraryId: stack.library_id, snapshot, targetId: stack.id, since }, planSetCover(snapshot, stack.id, primaryAssetId), stack.id);
}

/** DELETE /api/stacks/{id}: the grouping goes, the assets stay. */
export async function dissolve(deps: StackDeps, who: Principal, stackId: string, since?: number): Promise<void> {
  const stack = await findStack(deps.db, who, stackId, since);
  const { snapshot } = await read(deps.db, stack.library_id, [], [stack.id]);
  if (!snapshot.stacks.has(stack.id)) throw GONE();
  await inTransaction(deps, (trx) => applyIfChanging(trx, deps, { libraryId: stack.library_id, snapshot, targetId: stack.id, since }, planDissolve(snapshot, stack.id)));
}

/**
 * Before assets are permanently deleted (in the deleting transaction): their stacks lose them,
 * a deleted pinned cover unpins, stacks left with fewer than two members dissolve. The stacks
 * are locked first, so the membership read here is final.
 */
export async function detachDeleted(trx: Tx, deps: Pick<Deps, 'dialect'>, libraryId: string, assets: Pick<AssetRow, 'id' | 'stack_id'>[], now: string): Promise<void> {
  const stackIds = [...new Set(assets.flatMap((a) => (a.stack_id ? [a.stack_id] : [])))];
  if (stackIds.length === 0) return;
  await stackStore.lockForChange(trx, stackIds, now);
  const snapshot = await snapshotOf(trx, await stackStore.findByIds(trx, stackIds), assets);
  await applyPlan(trx, deps, libraryId, planDetachDeleted(snapshot, assets.map((a) => a.id)), now);
}

