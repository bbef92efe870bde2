import { captureColumns } from '../../src/domain/asset-metadata.js';
import { newId } from '../../src/domain/ids.js';
import { newLibraryRow } from '../../src/services/libraries.js';
import type { Config } from '../../src/config.js';
import type { AssetRow, MetadataRow } from '../../src/store/assets.js';
import * as libraryStore from '../../src/store/libraries.js';
import type { Db } from '../../src/store/schema.js';

export interface SeedAsset {
  /** Capture time as the file would say it (naive or aware ISO). */
  original_datetime?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  rating?: number | null;
  media_type?: 'image' | 'video';
  trashed_at?: string | null;
  checksum?: string;
  /** Camera and burst id (defaults: make 'Seed', model 'Camera', no burst id). */
  make?: string | null;
  model?: string | null;
  auto_stack_id?: string | null;
}

/**
 * Inserts assets straight through the store (no files, no exiftool), for tests and benchmarks
 * that need thousands of rows. Rows look exactly like uploaded ones.
 */
export async function seedAssets(db: Db, libraryId: string, items: SeedAsset[], now = new Date().toISOString()): Promise<AssetRow[]> {
  const rows: Omit<AssetRow, 'metrics'>[] = [];
  // Columns of later migrations keep their defaults, so this also seeds a database mid-migration.
  const metas: Omit<MetadataRow, 'motion_photo'>[] = [];
  for (const item of items) {
    const id = newId('asset');
    const video = item.media_type === 'video';
    const lat = item.latitude ?? null;
    const lon = item.longitude ?? null;
    const meta: Omit<MetadataRow, 'motion_photo'> = {
      asset_id: id, created_at: now, updated_at: now, make: item.make === undefined ? 'Seed' : item.make, model: item.model === undefined ? 'Camera' : item.model, lens_model: null, f_number: 2.8,
      focal_length: 35, exposure_time: 0.01, exposure_bias: 0, iso: 100, orientation: 1, raw_width: 4000, raw_height: 3000,
      file_original_datetime: item.original_datetime ?? null, digitized_datetime: null, modified_datetime: null,
      file_latitude: lat, file_longitude: lon, altitude: null, city: null, state: null, country: null, country_code: null,
      sublocation: null, place_name: null, timezone: null, file_description: null, fps: video ? 30 : null, live_photo_cid: null,
      projection_type: null, auto_stack_id: item.auto_stack_id ?? null, file_rating: item.rating ?? null, user_description: null, user_latitude: null,
      user_longitude: null, user_original_datetime: null, user_rating: null,
    };
    const asset: Omit<AssetRow, 'metrics'> = {
      id, library_id: libraryId, created_at: now, updated_at: now, trashed_at: item.trashed_at ?? null,
      mime_type: video ? 'video/mp4' : 'image/jpeg', media_type: video ? 'video' : 'image', original_file_name: `${id}.${video ? 'mp4' : 'jpg'}`,
      width: 4000, height: 3000, duration: video ? 12.5 : null, description: null, thumbhash: null, stack_id: null, kind: 'original',
      current_version_id: newId('asset_version'), checksum: item.checksum ?? Buffer.from(id).toString('base64'),
      checksum_sha1: Buffer.from(id.slice(0, 20)).toString('base64'), device_asset_id: id, device_id: 'seed',
      file_created_at: now, file_modified_at: now, file_size_bytes: 1000, blob_key: `originals/${libraryId}/${id}.jpg`,
      ...captureColumns(meta, meta, { file_created_at: now, created_at: now }),
      latitude: lat !== null && lon !== null ? lat : null, longitude: lat !== null && lon !== null ? lon : null, rating: item.rating ?? null,
    };
    rows.push(asset);
    metas.push(meta);
  }
  for (let i = 0; i < rows.length; i += 500) {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('assets').values(rows.slice(i, i + 500)).execute();
      await trx.insertInto('asset_metadata').values(metas.slice(i, i + 500)).execute();
    });
  }
  await libraryStore.adjustUsage(db, libraryId, { bytes: rows.length * 1000, assets: rows.length }, now);
  return rows.map((r) => ({ ...r, metrics: null }));
}

/**
 * A further live library of `userId` (there is no create route yet), so each test can list its
 * own assets in isolation; pass its id as `library_id`.
 */
export async function seedLibrary(db: Db, config: Config, userId: string, name: string): Promise<string> {
  const row = newLibraryRow({ clock: () => new Date(), config }, userId, name);
  await libraryStore.insert(db, row);
  return row.id;
}
