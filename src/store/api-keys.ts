import { prepared } from './prepared.js';
import type { ApiKeyTable, Executor } from './schema.js';

export type ApiKeyRow = ApiKeyTable;

/** Every authenticated request runs this, so it is prepared. */
const activeByHash = prepared((db, a: { keyHash: string }) =>
  db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select(['api_keys.id', 'api_keys.user_id', 'api_keys.actions', 'api_keys.library_scope_mode', 'api_keys.library_ids', 'api_keys.last_used_at', 'users.is_active as user_active'])
    .where('api_keys.key_hash', '=', a.keyHash)
    .where('api_keys.is_active', '=', 1),
);

export async function findActiveByHash(db: Executor, keyHash: string) {
  return (await activeByHash(db, { keyHash })).rows[0];
}

export async function insert(db: Executor, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function touchLastUsed(db: Executor, id: string, now: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}

export function listAll(db: Executor): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function deactivate(db: Executor, id: string, now: string): Promise<boolean> {
  const r = await db.updateTable('api_keys').set({ is_active: 0, updated_at: now }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function rename(db: Executor, id: string, name: string, now: string): Promise<ApiKeyRow | undefined> {
  await db.updateTable('api_keys').set({ name, updated_at: now }).where('id', '=', id).execute();
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}
