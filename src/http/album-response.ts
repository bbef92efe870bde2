import { formatLocalDateTime } from '../domain/capture-time.js';
import type { AlbumView } from '../services/albums.js';
import type { AlbumAssetRow } from '../store/albums.js';
import type { AssetRow } from '../store/assets.js';
import { coverUrls, type MediaUrlContext } from './media-urls.js';

const localDateTime = (a: AssetRow | null) => (a ? formatLocalDateTime({ wall: a.local_wall, offset: a.local_offset }) : null);

/** The one mapper from an album view to AlbumResponse (§2.10). */
export function toAlbumResponse({ album, cover, first, last }: AlbumView, urls: MediaUrlContext) {
  return {
    id: album.id,
    name: album.name,
    asset_count: album.asset_count,
    created_at: album.created_at,
    updated_at: album.updated_at,
    description: album.description,
    album_cover_asset_id: cover?.id ?? null,
    asset_urls: cover ? coverUrls(urls, cover) : null,
    start_date: localDateTime(first),
    end_date: localDateTime(last),
  };
}

export const toAlbumAssetResponse = (l: AlbumAssetRow) => ({ id: l.id, album_id: l.album_id, asset_id: l.asset_id, created_at: l.created_at, updated_at: l.updated_at });
