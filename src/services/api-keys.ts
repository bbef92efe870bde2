import { createHash, randomBytes } from 'node:crypto';
import { ACTIONS, type Action } from '../domain/api-key-grants.js';
import { newId } from '../domain/ids.js';
import * as apiKeyStore from '../store/api-keys.js';
import type { ApiKeyRow } from '../store/api-keys.js';
import type { Executor } from '../store/schema.js';
import * as userStore from '../store/users.js';
import { type Deps, nowText, type Principal } from './deps.js';

/** Only a hash is stored, so a leaked database does not leak usable keys. */
export const hashKey = (raw: string) => createHash('sha256').update(raw).digest('hex');

export function generateRawKey(): string {
  return `apikey_${randomBytes(32).toString('base64url')}`;
}

export async function createFullAccess(db: Executor, now: string, userId: string, name: string, raw: string): Promise<void> {
  await insertKey(db, now, userId, name, ACTIONS, raw);
}

async function insertKey(db: Executor, now: string, userId: string, name: string, actions: readonly Action[], raw: string): Promise<ApiKeyRow> {
  const row: ApiKeyRow = {
    id: newId('apikey'),
    user_id: userId,
    name,
    key_hash: hashKey(raw),
    actions: JSON.stringify(actions),
    library_scope_mode: 'all_libraries',
    is_active: 1,
    last_used_at: null,
    created_at: now,
    updated_at: now,
  };
  await apiKeyStore.insert(db, row);
  return row;
}

/**
 * The server owner's key management (`eucalypt api-key`): Gumnut reserves `/api/api-keys/` for
 * its first-party web session, which Eucalypt does not have, so keys are made from the shell.
 * Keys belong to the owner, the first user. Returns the raw key, which is never stored, or
 * undefined before the first start has created the owner.
 */
export async function createForOwner(deps: Pick<Deps, 'db' | 'clock'>, name: string, actions: readonly Action[]): Promise<{ row: ApiKeyRow; raw: string } | undefined> {
  const owner = await userStore.ownerId(deps.db);
  if (!owner) return undefined;
  const raw = generateRawKey();
  return { row: await insertKey(deps.db, nowText(deps), owner, name, actions, raw), raw };
}

export function listForOwner(deps: Pick<Deps, 'db'>): Promise<ApiKeyRow[]> {
  return apiKeyStore.listAll(deps.db);
}

/** Revoked keys stay listed as inactive (§1.6 DELETE). Returns whether the key existed. */
export function revoke(deps: Pick<Deps, 'db' | 'clock'>, id: string): Promise<boolean> {
  return apiKeyStore.deactivate(deps.db, id, nowText(deps));
}

/** `last_used_at` is refreshed at most this often, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The principal behind a bearer credential, or undefined when it is unknown, revoked or its user inactive. */
export async function authenticate(deps: Pick<Deps, 'db' | 'clock'>, raw: string): Promise<Principal | undefined> {
  if (!raw.startsWith('apikey_')) return undefined;
  const row = await apiKeyStore.findActiveByHash(deps.db, hashKey(raw));
  if (!row || row.user_active !== 1) return undefined;
  const now = deps.clock();
  if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
    await apiKeyStore.touchLastUsed(deps.db, row.id, now.toISOString());
  }
  return { userId: row.user_id, apiKeyId: row.id, actions: new Set(JSON.parse(row.actions) as Action[]) };
}
