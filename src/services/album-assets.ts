import { NotFound, unprocessable } from '../http/errors.js';
import * as albumStore from '../store/albums.js';
import type { AlbumAssetRow } from '../store/albums.js';
import type { Deps, Principal } from './deps.js';
import * as libraries from './libraries.js';

export interface ListAlbumAssetsInput {
  library_id?: string;
  album_id?: string;
  asset_id?: string;
  ids?: string[];
  limit: number;
  starting_after_id?: string;
}

/**
 * §1.11 link records, newest first by (created_at, id). A trashed asset's links are hidden, as
 * its album membership is everywhere else (they return with the asset on restore).
 */
export async function list(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: ListAlbumAssetsInput) {
  const library = await libraries.resolve(deps, who, input.library_id);
  let after: { created_at: string; id: string } | undefined;
  if (input.starting_after_id !== undefined) {
    const cursor = await albumStore.findLinkInLibrary(deps.db, library.id, input.starting_after_id);
    if (!cursor) throw unprocessable(['query', 'starting_after_id'], 'starting_after_id is not an album-asset of this listing', 'value_error', input.starting_after_id);
    after = { created_at: cursor.created_at, id: cursor.id };
  }
  const rows = await albumStore.listLinksPage(deps.db, {
    libraryId: library.id,
    albumId: input.album_id,
    assetId: input.asset_id,
    ids: input.ids,
    after,
    limit: input.limit + 1,
  });
  return { data: rows.slice(0, input.limit), has_more: rows.length > input.limit };
}

export async function get(deps: Pick<Deps, 'db'>, who: Principal, id: string): Promise<AlbumAssetRow> {
  const link = await albumStore.findLinkInLibraries(deps.db, who, id);
  if (!link) throw new NotFound('Album asset not found');
  return link;
}
