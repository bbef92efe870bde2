import type { ApiKeyTable, Executor } from './schema.js';

export type ApiKeyRow = ApiKeyTable;

export function findActiveByHash(db: Executor, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select(['api_keys.id', 'api_keys.user_id', 'api_keys.actions', 'api_keys.library_scope_mode', 'users.is_active as user_active'])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.is_active', '=', 1)
    .executeTakeFirst();
}

export async function insert(db: Executor, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function touchLastUsed(db: Executor, id: string, now: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
