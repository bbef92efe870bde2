import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../domain/ids.js';
import * as apiKeyStore from '../store/api-keys.js';
import type { Executor } from '../store/schema.js';
import type { Action, Deps, Principal } from './deps.js';

export const ALL_ACTIONS: Action[] = ['read', 'write', 'delete', 'delete_permanently'];

/** Only a hash is stored, so a leaked database does not leak usable keys. */
export const hashKey = (raw: string) => createHash('sha256').update(raw).digest('hex');

export function generateRawKey(): string {
  return `apikey_${randomBytes(32).toString('base64url')}`;
}

export async function createFullAccess(db: Executor, now: string, userId: string, name: string, raw: string): Promise<void> {
  await apiKeyStore.insert(db, {
    id: newId('apikey'),
    user_id: userId,
    name,
    key_hash: hashKey(raw),
    actions: JSON.stringify(ALL_ACTIONS),
    library_scope_mode: 'all_libraries',
    is_active: 1,
    last_used_at: null,
    created_at: now,
    updated_at: now,
  });
}

/** The principal behind a bearer credential, or undefined when it is unknown, revoked or its user inactive. */
export async function authenticate(deps: Pick<Deps, 'db'>, raw: string): Promise<Principal | undefined> {
  if (!raw.startsWith('apikey_')) return undefined;
  const row = await apiKeyStore.findActiveByHash(deps.db, hashKey(raw));
  if (!row || row.user_active !== 1) return undefined;
  return { userId: row.user_id, apiKeyId: row.id, actions: new Set(JSON.parse(row.actions) as Action[]) };
}
