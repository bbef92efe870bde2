import type { Selectable } from 'kysely';
import type { AssetVersionTable, Executor, Tx } from './schema.js';
import { prepared } from './prepared.js';

export type VersionRow = Selectable<AssetVersionTable>;

/** The chain of one asset, position 0 (the upload) first. */
export function listForAsset(db: Executor, assetId: string): Promise<VersionRow[]> {
  return db.selectFrom('asset_versions').selectAll().where('asset_id', '=', assetId).orderBy('position').execute();
}

export function listForAssets(db: Executor, assetIds: string[]): Promise<VersionRow[]> {
  if (assetIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('asset_versions').selectAll().where('asset_id', 'in', assetIds).orderBy('asset_id').orderBy('position').execute();
}

export function find(db: Executor, assetId: string, id: string): Promise<VersionRow | undefined> {
  return db.selectFrom('asset_versions').selectAll().where('asset_id', '=', assetId).where('id', '=', id).executeTakeFirst();
}

const insertVersion = prepared((db, row: VersionRow) => db.insertInto('asset_versions').values(row));

export async function insert(db: Executor, row: VersionRow): Promise<void> {
  await insertVersion(db, row);
}

export async function deleteByIds(trx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.deleteFrom('asset_versions').where('id', 'in', ids).execute();
}

/** Whether a row of this asset still points at these bytes (its versions may share a blob; blobs are never shared across assets). */
export async function isBlobReferenced(db: Executor, assetId: string, key: string): Promise<boolean> {
  const version = await db.selectFrom('asset_versions').select('id').where('asset_id', '=', assetId).where('blob_key', '=', key).limit(1).executeTakeFirst();
  if (version) return true;
  const asset = await db.selectFrom('assets').select('id').where('id', '=', assetId).where('blob_key', '=', key).executeTakeFirst();
  return asset !== undefined;
}
