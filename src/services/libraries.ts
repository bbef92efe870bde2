import { newId } from '../domain/ids.js';
import { normalizeLibraryName } from '../domain/libraries.js';
import { BadRequest, Conflict, Forbidden, NotFound, unprocessable } from '../http/errors.js';
import * as libraryStore from '../store/libraries.js';
import type { LibraryRow, LibraryState } from '../store/libraries.js';
import type { Executor, Tx } from '../store/schema.js';
import * as userStore from '../store/users.js';
import { type Deps, nowText, type Principal } from './deps.js';

export const DEFAULT_LIBRARY_NAME = 'Default Library';

export function list(deps: Pick<Deps, 'db'>, who: Principal, state: LibraryState): Promise<LibraryRow[]> {
  return libraryStore.listOwned(deps.db, who, state);
}

/** Any state: a trashed library is still readable by its owner until it is purged (§1.7). */
export async function get(deps: Pick<Deps, 'db'>, who: Principal, id: string): Promise<LibraryRow> {
  const row = await libraryStore.findOwned(deps.db, who, id);
  if (!row) throw new NotFound('Library not found');
  return row;
}

export function newLibraryRow(deps: Pick<Deps, 'clock' | 'config'>, userId: string, name: string): LibraryRow {
  const now = nowText(deps);
  return {
    id: newId('lib'),
    user_id: userId,
    name,
    description: null,
    storage_limit_bytes: deps.config.libraryStorageLimitBytes,
    storage_used_bytes: 0,
    asset_count: 0,
    trashed_at: null,
    purge_requested_at: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * §1.2/§3.2: an explicit `library_id` must be one of the caller's live libraries; without one,
 * the caller's only live library is used. With none, uploads (`createIfNone`) get a fresh
 * default library; with several, the caller must choose.
 */
export async function resolve(
  deps: Pick<Deps, 'clock' | 'config'> & { db: Executor },
  who: Principal,
  libraryId: string | undefined,
  options: { createIfNone?: boolean } = {},
): Promise<LibraryRow> {
  if (libraryId !== undefined) {
    const row = await libraryStore.findOwned(deps.db, who, libraryId);
    if (!row || row.trashed_at !== null) throw new NotFound('Library not found');
    return row;
  }
  const live = await libraryStore.listOwned(deps.db, who, 'live');
  if (live.length === 1) return live[0];
  if (live.length > 1) throw new BadRequest('library_id is required because you have more than one library');
  if (!options.createIfNone || who.libraryIds !== null) throw new NotFound(who.libraryIds === null ? 'You have no live library' : 'This API key reaches no live library');
  const row = newLibraryRow(deps, who.userId, DEFAULT_LIBRARY_NAME);
  await libraryStore.insert(deps.db, row);
  return row;
}

function nameOrThrow(name: string): string {
  const normalized = normalizeLibraryName(name);
  if (normalized === undefined) throw unprocessable(['body', 'name'], 'The name must not be blank', 'value_error', name);
  return normalized;
}

/** §1.7: name required, non-blank, trimmed. New libraries get the configured per-library cap. */
export async function create(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: { name: string; description?: string | null }): Promise<LibraryRow> {
  // A key limited to selected libraries could never reach the library it made.
  if (who.libraryIds !== null) throw new Forbidden('This API key is limited to selected libraries and cannot create one');
  const row = { ...newLibraryRow(deps, who.userId, nameOrThrow(input.name)), description: input.description ?? null };
  await libraryStore.insert(deps.db, row);
  return row;
}

/** Finds the caller's library (any state) and re-reads it under a row lock. */
async function lockOwned(trx: Tx, deps: Pick<Deps, 'dialect'>, who: Principal, id: string): Promise<LibraryRow> {
  const found = await libraryStore.findOwned(trx, who, id);
  const row = found && (await libraryStore.lock(trx, deps.dialect, id));
  if (!row) throw new NotFound('Library not found');
  return row;
}

/** §1.7 PATCH: omitted or null name keeps it (blank → 422); description null clears. Works in any state. */
export async function update(
  deps: Pick<Deps, 'db' | 'dialect' | 'clock'>,
  who: Principal,
  id: string,
  input: { name?: string | null; description?: string | null },
): Promise<LibraryRow> {
  const name = input.name == null ? undefined : nameOrThrow(input.name);
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockOwned(trx, deps, who, id);
    const changes: Partial<LibraryRow> = {};
    if (name !== undefined && name !== row.name) changes.name = name;
    if (input.description !== undefined && input.description !== row.description) changes.description = input.description;
    if (Object.keys(changes).length === 0) return row;
    changes.updated_at = nowText(deps);
    await libraryStore.update(trx, row.id, changes);
    return { ...row, ...changes };
  });
}

/**
 * §1.7 trash: the library and everything in it disappear from every read (its assets, albums,
 * events and tasks) and stay restorable for the retention window. Idempotent. 409 when it is the
 * caller's last live library: every user keeps one (checked under the user's row lock).
 */
export async function trash(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, who: Principal, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    // Library, then user (the lock order of store/assets.ts); the user's lock serialises the count.
    const row = await lockOwned(trx, deps, who, id);
    await userStore.lock(trx, deps.dialect, who.userId);
    if (row.trashed_at !== null) return;
    const live = await libraryStore.listOwned(trx, { userId: who.userId, libraryIds: null }, 'live');
    if (live.every((l) => l.id === row.id)) throw new Conflict('This is your last live library: every account keeps at least one', false);
    const now = nowText(deps);
    await libraryStore.update(trx, row.id, { trashed_at: now, updated_at: now });
  });
}

/**
 * §1.7 restore: back to live with whatever the purge has not yet removed; a pending DELETE is
 * cancelled. Idempotent on a live library. Runs under the library's lock, so a purge batch
 * either finished before it or sees the library live and stops.
 */
export async function restore(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, who: Principal, id: string): Promise<LibraryRow> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockOwned(trx, deps, who, id);
    if (row.trashed_at === null) return row;
    const changes = { trashed_at: null, purge_requested_at: null, updated_at: nowText(deps) };
    await libraryStore.update(trx, row.id, changes);
    return { ...row, ...changes };
  });
}

/**
 * §1.7 DELETE: only a trashed library (else 409, terminal). Waives the retention window: the
 * workers' purge drains it on their next sweep, in batches; restore works until it is gone.
 */
export async function requestPurge(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, who: Principal, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await lockOwned(trx, deps, who, id);
    if (row.trashed_at === null) throw new Conflict('Only a trashed library can be deleted: trash it first', false);
    if (row.purge_requested_at !== null) return;
    const now = nowText(deps);
    await libraryStore.update(trx, row.id, { purge_requested_at: now, updated_at: now });
  });
}
