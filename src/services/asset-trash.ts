import { NotFound } from '../http/errors.js';
import * as assetStore from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as peopleStore from '../store/people.js';
import { membersTrashedOrRestored } from './albums.js';
import { deleteAssets } from './asset-deletion.js';
import { type Deps, nowText, type Principal } from './deps.js';
import { settlePeople } from './faces.js';
import * as libraries from './libraries.js';

/**
 * Trash is a state on the asset (§3.13). Each call is one transaction: already-transitioned ids
 * are skipped, unknown ids ignored, every asset that changed gets an `asset_updated` event, and
 * each album holding one gets its live count moved and an `album_updated`.
 */
async function setTrashed(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, libraryId: string | undefined, ids: string[], trashed: boolean) {
  const library = await libraries.resolve(deps, who, libraryId);
  await deps.db.transaction().execute(async (trx) => {
    const now = nowText(deps);
    // Row locks in id order first (store/assets.ts), then the update.
    await assetStore.lockByIds(trx, deps.dialect, library.id, [...new Set(ids)], 'update');
    const changed = await assetStore.setTrashed(trx, library.id, [...new Set(ids)], trashed ? now : null, now);
    const rows = await assetStore.findByIds(trx, library.id, changed);
    // People, albums and stacks count live assets only.
    const people = await settlePeople(trx, library.id, await peopleStore.idsOnAssets(trx, changed), now);
    const albumEvents = await membersTrashedOrRestored(trx, changed, trashed ? -1 : 1, now);
    const stackIds = [...new Set(rows.flatMap((a) => (a.stack_id ? [a.stack_id] : [])))];
    // Events last: the event stream's lock comes after every row lock.
    await eventStore.append(trx, deps.dialect, now, [
      ...rows.map((a) => ({ library_id: library.id, entity_type: 'asset' as const, entity_id: a.id, event_type: 'asset_updated', payload: { stack_id: a.stack_id } })),
      ...stackIds.map((id) => ({ library_id: library.id, entity_type: 'stack' as const, entity_id: id, event_type: 'stack_updated' })),
      ...people,
      ...albumEvents,
    ]);
  });
}

export const trash = (deps: Deps, who: Principal, libraryId: string | undefined, ids: string[]) => setTrashed(deps, who, libraryId, ids, true);
export const restore = (deps: Deps, who: Principal, libraryId: string | undefined, ids: string[]) => setTrashed(deps, who, libraryId, ids, false);

/** DELETE /api/assets: each id of the library, live or trashed; unknown ids are skipped. Files go by `asset_storage_cleanup`. */
export async function deleteMany(deps: Deps, who: Principal, libraryId: string | undefined, ids: string[]): Promise<void> {
  const library = await libraries.resolve(deps, who, libraryId);
  await deps.db.transaction().execute((trx) => deleteAssets(trx, deps.dialect, { libraryId: library.id, ids: [...new Set(ids)] }, nowText(deps)));
  deps.wake();
}

export async function emptyTrash(deps: Deps, who: Principal, libraryId: string | undefined): Promise<void> {
  const library = await libraries.resolve(deps, who, libraryId);
  await deps.db.transaction().execute((trx) => deleteAssets(trx, deps.dialect, { libraryId: library.id, trashed: true }, nowText(deps)));
  deps.wake();
}

export async function deleteOne(deps: Deps, who: Principal, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await assetStore.findInLibraries(trx, who, id);
    const deleted = row ? await deleteAssets(trx, deps.dialect, { libraryId: row.library_id, ids: [row.id] }, nowText(deps)) : [];
    // Also a 404 when a concurrent delete won the row.
    if (deleted.length === 0) throw new NotFound('Asset not found');
  });
  deps.wake();
}
