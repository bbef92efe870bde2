import { type Selectable, sql } from 'kysely';
import type { AssetStackTable, Executor, Tx } from './schema.js';
import { type LibraryAccess, reachable } from './libraries.js';

export type StackRow = Selectable<AssetStackTable>;

export interface StackListQuery {
  libraryId: string;
  ids?: string[];
  origin?: 'auto_burst' | 'user';
  primaryAssetId?: string;
  afterId?: string;
  limit: number;
}

/** §1.15: ordered by id (stable, not chronological). */
export function list(db: Executor, q: StackListQuery): Promise<StackRow[]> {
  let query = db.selectFrom('asset_stacks').selectAll().where('library_id', '=', q.libraryId);
  if (q.ids) query = q.ids.length ? query.where('id', 'in', q.ids) : query.where(sql<boolean>`1 = 0`);
  if (q.origin) query = query.where('origin', '=', q.origin);
  if (q.primaryAssetId !== undefined) query = query.where('primary_asset_id', '=', q.primaryAssetId);
  if (q.afterId !== undefined) query = query.where('id', '>', q.afterId);
  return query.orderBy('id').limit(q.limit).execute();
}

/** A stack in one of the user's live libraries. */
export function findInLibraries(db: Executor, access: LibraryAccess, id: string): Promise<StackRow | undefined> {
  return db
    .selectFrom('asset_stacks')
    .innerJoin('libraries', 'libraries.id', 'asset_stacks.library_id')
    .selectAll('asset_stacks')
    .where('asset_stacks.id', '=', id)
    .where((eb) => reachable(eb, access))
    .where('libraries.trashed_at', 'is', null)
    .executeTakeFirst();
}

export function findByIds(db: Executor, ids: string[]): Promise<StackRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('asset_stacks').selectAll().where('id', 'in', ids).execute();
}

export function exists(db: Executor, id: string): Promise<boolean> {
  return db.selectFrom('asset_stacks').select('id').where('id', '=', id).executeTakeFirst().then((r) => r !== undefined);
}

export function listAuto(db: Executor, libraryId: string): Promise<StackRow[]> {
  return db.selectFrom('asset_stacks').selectAll().where('library_id', '=', libraryId).where('origin', '=', 'auto_burst').execute();
}

/** Live members per stack (§2.15 `asset_count` excludes trashed members). */
export async function liveCounts(db: Executor, stackIds: string[]): Promise<Map<string, number>> {
  if (stackIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('assets')
    .select(['stack_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('stack_id', 'in', stackIds)
    .where('trashed_at', 'is', null)
    .groupBy('stack_id')
    .execute();
  return new Map(rows.map((r) => [r.stack_id!, Number(r.n)]));
}

export interface MemberRow {
  id: string;
  stack_id: string | null;
  trashed_at: string | null;
}

/** Every member (trashed ones too) of these stacks, in id order. */
export function members(db: Executor, stackIds: string[]): Promise<MemberRow[]> {
  if (stackIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('assets').select(['id', 'stack_id', 'trashed_at']).where('stack_id', 'in', stackIds).orderBy('id').execute();
}

export async function insert(trx: Tx, row: StackRow): Promise<void> {
  await trx.insertInto('asset_stacks').values(row).execute();
}

/**
 * Applies a change only if the stack is still at `version`, bumping it; false when another
 * writer got there first (on PostgreSQL the UPDATE waits for that writer's row lock, then
 * re-checks the version against what it committed).
 */
export async function updateIfVersion(trx: Tx, id: string, version: number, changes: Partial<Pick<StackRow, 'origin' | 'primary_asset_id'>>, now: string): Promise<boolean> {
  const r = await trx
    .updateTable('asset_stacks')
    .set({ ...changes, version: version + 1, updated_at: now })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteIfVersion(trx: Tx, id: string, version: number): Promise<boolean> {
  const r = await trx.deleteFrom('asset_stacks').where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/**
 * Takes the row locks of these stacks (PostgreSQL; SQLite's one writer already excludes every
 * other) by bumping their versions, so membership read afterwards in the transaction is final.
 */
export async function lockForChange(trx: Tx, ids: string[], now: string): Promise<void> {
  for (const id of [...new Set(ids)].sort()) {
    await trx
      .updateTable('asset_stacks')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .execute();
  }
}

/** Moves one asset between stacks if it is still where the plan found it; false otherwise. */
export async function moveAsset(trx: Tx, assetId: string, from: string | null, to: string | null, now: string): Promise<boolean> {
  const r = await trx
    .updateTable('assets')
    .set({ stack_id: to, updated_at: now })
    .where('id', '=', assetId)
    .where((eb) => (from === null ? eb('stack_id', 'is', null) : eb('stack_id', '=', from)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface BurstCandidateRow {
  id: string;
  local_wall: string;
  stack_id: string | null;
  stack_origin: string | null;
  make: string | null;
  model: string | null;
  auto_stack_id: string | null;
  /** Whether the capture time came from the file or the user (not the upload-time fallback). */
  capture_known: number;
}

/** Every photo of the library with what burst detection looks at (trashed ones too: they stay members). */
export function burstCandidates(db: Executor, libraryId: string): Promise<BurstCandidateRow[]> {
  return db
    .selectFrom('assets')
    .innerJoin('asset_metadata', 'asset_metadata.asset_id', 'assets.id')
    .leftJoin('asset_stacks', 'asset_stacks.id', 'assets.stack_id')
    .select([
      'assets.id',
      'assets.local_wall',
      'assets.stack_id',
      'asset_stacks.origin as stack_origin',
      'asset_metadata.make',
      'asset_metadata.model',
      'asset_metadata.auto_stack_id',
      sql<number>`case when asset_metadata.file_original_datetime is not null or asset_metadata.user_original_datetime is not null then 1 else 0 end`.as('capture_known'),
    ])
    .where('assets.library_id', '=', libraryId)
    .where('assets.media_type', '=', 'image')
    .execute();
}
