import { NotFound } from '../http/errors.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as libraryStore from '../store/libraries.js';
import * as userStore from '../store/users.js';
import type { Tx } from '../store/schema.js';
import { beforeAssetsDeleted } from './asset-dependents.js';
import { type Deps, nowText, type Principal } from './deps.js';
import * as libraries from './libraries.js';

/**
 * Trash is a state on the asset (§3.13). Each call is one transaction: already-transitioned ids
 * are skipped, unknown ids ignored, and every asset that changed gets an `asset_updated` event.
 */
async function setTrashed(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, libraryId: string | undefined, ids: string[], trashed: boolean) {
  const library = await libraries.resolve(deps, who, libraryId);
  await deps.db.transaction().execute(async (trx) => {
    const now = nowText(deps);
    const changed = await assetStore.setTrashed(trx, library.id, [...new Set(ids)], trashed ? now : null, now);
    const rows = await assetStore.findByIds(trx, library.id, changed);
    await eventStore.append(
      trx,
      deps.dialect,
      now,
      [
        ...rows.map((a) => ({ library_id: library.id, entity_type: 'asset' as const, entity_id: a.id, event_type: 'asset_updated', payload: { stack_id: a.stack_id } })),
        // A stack's asset_count counts live members only: it changed with them.
        ...[...new Set(rows.flatMap((a) => (a.stack_id ? [a.stack_id] : [])))].map((id) => ({ library_id: library.id, entity_type: 'stack' as const, entity_id: id, event_type: 'stack_updated' })),
      ],
    );
  });
}

export const trash = (deps: Deps, who: Principal, libraryId: string | undefined, ids: string[]) => setTrashed(deps, who, libraryId, ids, true);
export const restore = (deps: Deps, who: Principal, libraryId: string | undefined, ids: string[]) => setTrashed(deps, who, libraryId, ids, false);

/** Deletes rows, counters and events in `trx`; the caller removes the blobs after commit. */
async function deleteRows(trx: Tx, deps: Pick<Deps, 'dialect'>, userId: string, libraryId: string, assets: AssetRow[], now: string): Promise<void> {
  if (assets.length === 0) return;
  const bytes = assets.reduce((sum, a) => sum + a.file_size_bytes, 0);
  await beforeAssetsDeleted(trx, deps, userId, libraryId, assets, now);
  await assetStore.deleteByIds(trx, assets.map((a) => a.id));
  await libraryStore.adjustUsage(trx, libraryId, { bytes: -bytes, assets: -assets.length }, now);
  await userStore.addStorageUsed(trx, userId, -bytes, now);
  await eventStore.append(
    trx,
    deps.dialect,
    now,
    assets.map((a) => ({ library_id: libraryId, entity_type: 'asset' as const, entity_id: a.id, event_type: 'asset_deleted' })),
  );
}

async function removeBlobs(deps: Pick<Deps, 'blobs'>, assets: AssetRow[]): Promise<void> {
  // After commit: a crash here leaves unreferenced bytes (reclaimable), never a row without bytes.
  await Promise.all(assets.map((a) => deps.blobs.delete(a.blob_key)));
}

export async function deleteMany(deps: Deps, who: Principal, libraryId: string | undefined, ids: string[]): Promise<void> {
  const library = await libraries.resolve(deps, who, libraryId);
  const assets = await deps.db.transaction().execute(async (trx) => {
    const rows = await assetStore.findByIds(trx, library.id, [...new Set(ids)]);
    await deleteRows(trx, deps, who.userId, library.id, rows, nowText(deps));
    return rows;
  });
  await removeBlobs(deps, assets);
}

export async function emptyTrash(deps: Deps, who: Principal, libraryId: string | undefined): Promise<void> {
  const library = await libraries.resolve(deps, who, libraryId);
  const assets = await deps.db.transaction().execute(async (trx) => {
    const ids = (await assetStore.trashedIds(trx, library.id)).map((r) => r.id);
    const rows = await assetStore.findByIds(trx, library.id, ids);
    await deleteRows(trx, deps, who.userId, library.id, rows, nowText(deps));
    return rows;
  });
  await removeBlobs(deps, assets);
}

export async function deleteOne(deps: Deps, who: Principal, id: string): Promise<void> {
  const asset = await deps.db.transaction().execute(async (trx) => {
    const row = await assetStore.findInLibraries(trx, who.userId, id);
    if (!row) throw new NotFound('Asset not found');
    await deleteRows(trx, deps, who.userId, row.library_id, [row], nowText(deps));
    return row;
  });
  await removeBlobs(deps, [asset]);
}
