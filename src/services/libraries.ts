import { newId } from '../domain/ids.js';
import { BadRequest, NotFound } from '../http/errors.js';
import * as libraryStore from '../store/libraries.js';
import type { LibraryRow, LibraryState } from '../store/libraries.js';
import type { Executor } from '../store/schema.js';
import { type Deps, nowText, type Principal } from './deps.js';

export const DEFAULT_LIBRARY_NAME = 'Default Library';

export function list(deps: Pick<Deps, 'db'>, who: Principal, state: LibraryState): Promise<LibraryRow[]> {
  return libraryStore.listOwned(deps.db, who.userId, state);
}

/** Any state: a trashed library is still readable by its owner until it is purged (§1.7). */
export async function get(deps: Pick<Deps, 'db'>, who: Principal, id: string): Promise<LibraryRow> {
  const row = await libraryStore.findOwned(deps.db, who.userId, id);
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
    const row = await libraryStore.findOwned(deps.db, who.userId, libraryId);
    if (!row || row.trashed_at !== null) throw new NotFound('Library not found');
    return row;
  }
  const live = await libraryStore.listOwned(deps.db, who.userId, 'live');
  if (live.length === 1) return live[0];
  if (live.length > 1) throw new BadRequest('library_id is required because you have more than one library');
  if (!options.createIfNone) throw new NotFound('You have no live library');
  const row = newLibraryRow(deps, who.userId, DEFAULT_LIBRARY_NAME);
  await libraryStore.insert(deps.db, row);
  return row;
}
