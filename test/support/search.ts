import { refresh } from '../../src/services/search-index.js';
import * as assetStore from '../../src/store/assets.js';
import type { AssetRow, MetadataRow } from '../../src/store/assets.js';
import type { TestApp } from './app.js';
import { type SeedAsset, seedAssets } from './seed.js';

export interface SearchableSeed extends SeedAsset {
  file_name?: string;
  metadata?: Partial<MetadataRow>;
  ai_description?: string | null;
}

/** Seeds assets (no files) with the given names and metadata, and indexes them for search. */
export async function seedSearchable(t: TestApp, libraryId: string, items: SearchableSeed[]): Promise<AssetRow[]> {
  const db = t.runtime.deps.db;
  const rows = await seedAssets(db, libraryId, items);
  for (const [i, item] of items.entries()) {
    const changes: Partial<AssetRow> = {};
    if (item.file_name) changes.original_file_name = item.file_name;
    if (item.ai_description !== undefined) changes.description = item.ai_description;
    if (Object.keys(changes).length) await assetStore.update(db, rows[i].id, changes);
    if (item.metadata) await assetStore.updateMetadata(db, rows[i].id, item.metadata);
    Object.assign(rows[i], changes);
  }
  await db.transaction().execute((trx) => refresh(trx, new Date().toISOString(), rows.map((r) => r.id)));
  return rows;
}

export interface SearchPage {
  data: { asset: { id: string; original_file_name: string; local_datetime: string; [k: string]: unknown }; distance: number | null }[];
}

/** GET /api/search; returns status and body. */
export async function searchGet(t: TestApp, query: Record<string, unknown>, key?: string) {
  const res = await t.api('GET', '/api/search', { query, key });
  return { status: res.statusCode, body: res.json() as SearchPage & { detail?: unknown } };
}

export const idsOf = (page: SearchPage) => page.data.map((d) => d.asset.id);
