import { createHash, randomBytes } from 'node:crypto';
import { ACTIONS, type Action } from '../domain/api-key-grants.js';
import { newId } from '../domain/ids.js';
import * as apiKeyStore from '../store/api-keys.js';
import type { ApiKeyRow } from '../store/api-keys.js';
import type { Executor } from '../store/schema.js';
import * as libraryStore from '../store/libraries.js';
import * as userStore from '../store/users.js';
import { type Deps, nowText, type Principal } from './deps.js';

/** Only a hash is stored, so a leaked database does not leak usable keys. */
export const hashKey = (raw: string) => createHash('sha256').update(raw).digest('hex');

export function generateRawKey(): string {
  return `apikey_${randomBytes(32).toString('base64url')}`;
}

export async function createFullAccess(db: Executor, now: string, userId: string, name: string, raw: string): Promise<void> {
  await insertKey(db, now, userId, { name, actions: ACTIONS, libraryIds: null }, raw);
}

/** What a new key may do: its actions, and its libraries (null = all, now and future). */
export interface KeyGrant {
  name: string;
  actions: readonly Action[];
  libraryIds: readonly string[] | null;
}

async function insertKey(db: Executor, now: string, userId: string, grant: KeyGrant, raw: string): Promise<ApiKeyRow> {
  const row: ApiKeyRow = {
    id: newId('apikey'),
    user_id: userId,
    name: grant.name,
    key_hash: hashKey(raw),
    actions: JSON.stringify(grant.actions),
    library_scope_mode: grant.libraryIds === null ? 'all_libraries' : 'selected_libraries',
    library_ids: grant.libraryIds === null ? null : JSON.stringify(grant.libraryIds),
    is_active: 1,
    last_used_at: null,
    created_at: now,
    updated_at: now,
  };
  await apiKeyStore.insert(db, row);
  return row;
}

/**
 * The server owner's key management: from the shell (`eucalypt api-key`), or from a first-party
 * session through `/api/api-keys/` (§1.6). Keys belong to the owner, the first user. Returns
 * the raw key, which is never stored; an error when there is no owner yet or a selected library
 * is not the owner's.
 */
export async function createForOwner(deps: Pick<Deps, 'db' | 'clock'>, grant: KeyGrant): Promise<{ row: ApiKeyRow; raw: string } | { error: string }> {
  const owner = await userStore.ownerId(deps.db);
  if (!owner) return { error: 'There is no owner yet: start the server once (eucalypt serve) to create one.' };
  if (grant.libraryIds !== null) {
    const owned = new Set((await libraryStore.listOwned(deps.db, { userId: owner, libraryIds: null }, 'all')).map((l) => l.id));
    const unknown = grant.libraryIds.filter((id) => !owned.has(id));
    if (unknown.length > 0) return { error: `No such library: ${unknown.join(', ')} (see GET /api/libraries)` };
  }
  const raw = generateRawKey();
  return { row: await insertKey(deps.db, nowText(deps), owner, grant, raw), raw };
}

export function listForOwner(deps: Pick<Deps, 'db'>): Promise<ApiKeyRow[]> {
  return apiKeyStore.listAll(deps.db);
}

/** Revoked keys stay listed as inactive (§1.6 DELETE). Returns whether the key existed. */
export function revoke(deps: Pick<Deps, 'db' | 'clock'>, id: string): Promise<boolean> {
  return apiKeyStore.deactivate(deps.db, id, nowText(deps));
}

/** A key's new name (§1.6 PATCH); undefined when there is no such key. */
export function rename(deps: Pick<Deps, 'db' | 'clock'>, id: string, name: string): Promise<ApiKeyRow | undefined> {
  return apiKeyStore.rename(deps.db, id, name, nowText(deps));
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
  return {
    userId: row.user_id,
    apiKeyId: row.id,
    actions: new Set(JSON.parse(row.actions) as Action[]),
    libraryIds: row.library_scope_mode === 'selected_libraries' ? (JSON.parse(row.library_ids ?? '[]') as string[]) : null,
  };
}
