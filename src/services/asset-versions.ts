import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { digestFile, type TempFile } from '../blobs/temp-file.js';
import {
  canAppend,
  canonicalParams,
  contentTypeProblem,
  currentOf,
  extensionOf,
  laterThan,
  MAX_VERSION_BYTES,
  parseKind,
  parseParams,
  topVersionProblem,
  type VersionFormat,
} from '../domain/asset-versions.js';
import { newId } from '../domain/ids.js';
import { Conflict, InsufficientStorage, NotFound, unprocessable, Unprocessable, type ValidationIssue } from '../http/errors.js';
import { assetTask } from '../jobs/asset-task.js';
import type { VersionCleanupPayload } from '../jobs/asset-version-storage-cleanup.js';
import { copyMetadata, decodedSize, sniffFile } from '../media/edited-image.js';
import { isUndecodableMedia } from '../media/errors.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import * as versionStore from '../store/asset-versions.js';
import type { VersionRow } from '../store/asset-versions.js';
import * as eventStore from '../store/events.js';
import * as libraryStore from '../store/libraries.js';
import type { Executor, Tx } from '../store/schema.js';
import * as taskStore from '../store/tasks.js';
import * as userStore from '../store/users.js';
import type { AssetView } from './assets.js';
import { type Deps, nowText, type Principal } from './deps.js';

/** The upload as position 0 of its chain: its id is the asset's first `current_version_id`. */
export function originalVersionRow(asset: AssetRow): VersionRow {
  return {
    id: asset.current_version_id,
    asset_id: asset.id,
    position: 0,
    kind: 'original',
    mime_type: asset.mime_type,
    width: asset.width,
    height: asset.height,
    file_size_bytes: asset.file_size_bytes,
    checksum: asset.checksum,
    source_checksum: asset.checksum,
    blob_key: asset.blob_key,
    params: null,
    created_at: asset.created_at,
  };
}

/**
 * A version seen as an asset row (its blob, MIME type, size and id as `current_version_id`), so
 * URLs, renditions and the media route treat any version exactly like a current one.
 */
export function versionAsAsset(asset: AssetRow, version: VersionRow): AssetRow {
  return {
    ...asset,
    current_version_id: version.id,
    kind: version.kind,
    blob_key: version.blob_key,
    mime_type: version.mime_type,
    media_type: version.position === 0 ? asset.media_type : 'image',
    width: version.width ?? (version.id === asset.current_version_id ? asset.width : null),
    height: version.height ?? (version.id === asset.current_version_id ? asset.height : null),
  };
}

/** The asset row's columns that describe its current rendering (§1.9). */
function currentColumns(version: VersionRow, now: string): Partial<AssetRow> {
  return {
    current_version_id: version.id,
    kind: version.kind,
    mime_type: version.mime_type,
    width: version.width,
    height: version.height,
    blob_key: version.blob_key,
    // The placeholder of the old rendering would be wrong; the thumbhash task makes the new one.
    thumbhash: null,
    updated_at: now,
  };
}

async function findAsset(db: Executor, who: Principal, id: string): Promise<AssetRow> {
  const asset = await assetStore.findInLibraries(db, who, id);
  if (!asset) throw new NotFound('Asset not found');
  return asset;
}

/** The chain, upload first; assets stored before versions existed get their upload's row here. */
async function chainOf(db: Executor, asset: AssetRow): Promise<{ chain: VersionRow[]; synthesised: boolean }> {
  const chain = await versionStore.listForAsset(db, asset.id);
  return chain.length ? { chain, synthesised: false } : { chain: [originalVersionRow(asset)], synthesised: true };
}

export async function list(deps: Pick<Deps, 'db'>, who: Principal, assetId: string): Promise<{ asset: AssetRow; versions: VersionRow[] }> {
  const asset = await findAsset(deps.db, who, assetId);
  return { asset, versions: (await chainOf(deps.db, asset)).chain };
}

interface VersionInput {
  file: TempFile;
  contentType: string | undefined;
  kind: string;
  params: Record<string, unknown>;
}

/** The multipart body of append/replace: `file`, `kind`, `params` (422 at each field's location). */
export function checkForm(form: { file: TempFile | undefined; fileContentType?: string; fields: Record<string, string> }): VersionInput {
  const issues: ValidationIssue[] = [];
  if (!form.file) issues.push({ loc: ['body', 'file'], msg: 'Field required', type: 'missing' });
  else if (form.file.size === 0) issues.push({ loc: ['body', 'file'], msg: 'The file is empty', type: 'value_error' });
  const kind = parseKind(form.fields.kind);
  if (!kind.ok) issues.push({ loc: ['body', 'kind'], msg: kind.msg, type: kind.type, ...(form.fields.kind === undefined ? {} : { input: form.fields.kind }) });
  const params = parseParams(form.fields.params);
  if (!params.ok) issues.push({ loc: ['body', 'params'], msg: params.msg, type: params.type });
  if (issues.length || !kind.ok || !params.ok) throw new Unprocessable(issues);
  return { file: form.file!, contentType: form.fileContentType, kind: kind.value, params: params.value };
}

async function checkStorageCaps(db: Executor, userId: string, libraryId: string): Promise<void> {
  const user = await userStore.findById(db, userId);
  if (user?.storage_limit_bytes != null && user.storage_used_bytes >= user.storage_limit_bytes) {
    throw new InsufficientStorage('Your account has reached its storage limit');
  }
  const library = await libraryStore.findById(db, libraryId);
  if (library && library.storage_limit_bytes !== null && library.storage_used_bytes >= library.storage_limit_bytes) {
    throw new InsufficientStorage('This library has reached its storage limit');
  }
}

interface Prepared {
  path: string;
  format: VersionFormat;
  size: number;
  sha256: string;
  width: number;
  height: number;
}

/**
 * The bytes to store: the upload, checked to be a whole JPEG or PNG whose declared type (if
 * concrete) agrees, with the original's metadata copied in. Slow work, outside any transaction.
 */
async function prepare(deps: Pick<Deps, 'blobs' | 'tmpDir'>, original: VersionRow, input: VersionInput): Promise<Prepared> {
  const format = await sniffFile(input.file.path);
  if (!format) throw unprocessable(['body', 'file'], 'The file must be a JPEG or PNG image', 'value_error');
  const mismatch = contentTypeProblem(input.contentType, format);
  if (mismatch) throw unprocessable(['body', 'file'], mismatch, 'value_error', input.contentType);
  await fsp.mkdir(deps.tmpDir, { recursive: true });
  const work = path.join(deps.tmpDir, `${randomUUID()}.version.${extensionOf(format)}`);
  try {
    await fsp.copyFile(input.file.path, work);
    // Metadata rewriting leaves the pixels alone: the size measured now is the stored one.
    const pixels = await decodedSize(work);
    await copyMetadata(work, await deps.blobs.localPath(original.blob_key));
    const { size, sha256 } = await digestFile(work);
    if (size > MAX_VERSION_BYTES) {
      throw unprocessable(['body', 'file'], `The file must be at most ${MAX_VERSION_BYTES} bytes, also once the original's metadata is added`, 'value_error');
    }
    return { path: work, format, size, sha256, ...pixels };
  } catch (err) {
    await fsp.rm(work, { force: true });
    if (isUndecodableMedia(err)) throw unprocessable(['body', 'file'], err.message, 'value_error');
    throw err;
  }
}

/** Content-addressed within the asset, so identical renderings of one asset share their bytes. */
function versionBlobKey(asset: AssetRow, sha256: string, format: VersionFormat): string {
  const name = Buffer.from(sha256, 'base64').toString('base64url');
  return `versions/${asset.library_id}/${asset.id.slice(-2)}/${asset.id}/${name}.${extensionOf(format)}`;
}

const cleanupTask = (asset: Pick<AssetRow, 'id' | 'library_id'>, gone: VersionRow[]): taskStore.NewTask => ({
  task_type: 'asset_version_storage_cleanup',
  library_id: asset.library_id,
  asset_id: asset.id,
  payload: { asset_id: asset.id, versions: gone.map((v) => ({ id: v.id, blob_key: v.blob_key })) } satisfies VersionCleanupPayload,
});

/**
 * One transaction for a change of the current version: the asset row moves from `expected`
 * to `next` (409 if another request moved it first), version rows are written, storage use,
 * the `asset_updated` event, a new ThumbHash and the cleanup of dropped versions follow.
 */
async function switchCurrent(
  trx: Tx,
  deps: Pick<Deps, 'dialect'>,
  who: Principal,
  asset: AssetRow,
  change: { next: VersionRow; insert?: VersionRow[]; drop: VersionRow[] },
  now: string,
): Promise<AssetRow> {
  const columns = currentColumns(change.next, now);
  if (!(await assetStore.updateIfCurrentVersion(trx, asset.id, asset.current_version_id, columns))) {
    const still = await assetStore.findByIdsAnyLibrary(trx, [asset.id]);
    if (still.length === 0) throw new Conflict('The asset was deleted while this request ran', false);
    throw new Conflict('The asset changed version while this request ran; nothing was written, retry the request', true);
  }
  await versionStore.deleteByIds(trx, change.drop.map((v) => v.id));
  for (const row of change.insert ?? []) await versionStore.insert(trx, row);
  const bytes = (change.insert ?? []).filter((v) => v.position > 0).reduce((s, v) => s + v.file_size_bytes, 0) - change.drop.reduce((s, v) => s + v.file_size_bytes, 0);
  if (bytes !== 0) {
    await libraryStore.adjustUsage(trx, asset.library_id, { bytes, assets: 0 }, now);
    await userStore.addStorageUsed(trx, who.userId, bytes, now);
  }
  const [fresh] = await assetStore.findByIdsAnyLibrary(trx, [asset.id]);
  await eventStore.append(trx, deps.dialect, now, [
    { library_id: asset.library_id, entity_type: 'asset', entity_id: asset.id, event_type: 'asset_updated', payload: { stack_id: fresh.stack_id } },
  ]);
  const tasks = [assetTask('thumbhash', asset)];
  if (change.drop.length) tasks.push(cleanupTask(asset, change.drop));
  await taskStore.enqueue(trx, now, tasks);
  return fresh;
}

/** POST …/versions (append) and POST …/versions/{id}/replace (§1.9). */
async function write(deps: Deps, who: Principal, assetId: string, form: Parameters<typeof checkForm>[0], replacing?: string): Promise<{ asset: AssetRow; version: VersionRow }> {
  const input = checkForm(form);
  const asset = await findAsset(deps.db, who, assetId);
  if (asset.media_type !== 'image') throw unprocessable(['path', 'asset_id'], 'Only photos have edit versions', 'value_error', assetId);
  const { chain, synthesised } = await chainOf(deps.db, asset);
  const current = currentOf(chain);

  // The same upload, kind and recipe as the current edit (a retried request): nothing is stored.
  const same =
    current.position > 0 &&
    current.source_checksum === input.file.sha256 &&
    current.kind === input.kind &&
    canonicalParams(JSON.parse(current.params ?? '{}')) === canonicalParams(input.params) &&
    (replacing === undefined || replacing === current.id);
  if (same) return { asset, version: current };

  if (replacing === undefined) {
    if (!canAppend(chain)) throw new Conflict('This asset already has an edit: replace its current version instead of appending', false);
  } else {
    const problem = topVersionProblem(chain, replacing);
    if (problem === 'not_found') throw new NotFound('Version not found');
    if (problem === 'original') throw unprocessable(['path', 'version_id'], 'The original cannot be replaced; append an edit instead', 'value_error', replacing);
    if (problem === 'buried') throw new Conflict('Only the current version can be replaced', false);
  }
  await checkStorageCaps(deps.db, who.userId, asset.library_id);

  const prepared = await prepare(deps, chain[0], input);
  try {
    const now = nowText(deps);
    // Exact duplicate bytes store nothing: a version with the same stored bytes lends its blob.
    const twin = chain.find((v) => v.checksum === prepared.sha256);
    const key = twin?.blob_key ?? versionBlobKey(asset, prepared.sha256, prepared.format);
    let stored = false;
    if (!twin && !(await deps.blobs.stat(key))) {
      await deps.blobs.putFile(key, prepared.path);
      stored = true;
    }
    const version: VersionRow = {
      id: newId('asset_version'),
      asset_id: asset.id,
      position: replacing === undefined ? current.position + 1 : current.position,
      kind: input.kind,
      mime_type: prepared.format,
      width: prepared.width,
      height: prepared.height,
      file_size_bytes: prepared.size,
      checksum: prepared.sha256,
      source_checksum: input.file.sha256,
      blob_key: key,
      params: JSON.stringify(input.params),
      created_at: now,
    };
    try {
      const fresh = await deps.db.transaction().execute((trx) =>
        switchCurrent(trx, deps, who, asset, { next: version, insert: [...(synthesised ? chain : []), version], drop: replacing === undefined ? [] : [current] }, now),
      );
      deps.wake();
      return { asset: fresh, version };
    } catch (err) {
      // Bytes first, rows second: a failed transaction leaves no unreferenced blob of ours behind.
      if (stored && !(await versionStore.isBlobReferenced(deps.db, asset.id, key))) await deps.blobs.delete(key);
      throw err;
    }
  } finally {
    await fsp.rm(prepared.path, { force: true });
  }
}

export const append = (deps: Deps, who: Principal, assetId: string, form: Parameters<typeof checkForm>[0]) => write(deps, who, assetId, form);
export const replace = (deps: Deps, who: Principal, assetId: string, versionId: string, form: Parameters<typeof checkForm>[0]) => write(deps, who, assetId, form, versionId);

async function withMetadata(db: Executor, asset: AssetRow): Promise<AssetView> {
  const [metadata] = await assetStore.findMetadata(db, [asset.id]);
  return { asset, metadata };
}

/** DELETE …/versions/{id}: the current edit goes, its predecessor becomes current. */
export async function remove(deps: Deps, who: Principal, assetId: string, versionId: string): Promise<AssetView> {
  const asset = await findAsset(deps.db, who, assetId);
  const { chain } = await chainOf(deps.db, asset);
  const problem = topVersionProblem(chain, versionId);
  if (problem === 'not_found') throw new NotFound('Version not found');
  if (problem === 'original') throw unprocessable(['path', 'version_id'], 'The original version cannot be deleted', 'value_error', versionId);
  if (problem === 'buried') throw new Conflict('Only the current version can be deleted; revert to remove earlier edits', false);
  const current = currentOf(chain);
  const previous = currentOf(chain.filter((v) => v.id !== current.id));
  const fresh = await deps.db.transaction().execute((trx) => switchCurrent(trx, deps, who, asset, { next: previous, drop: [current] }, nowText(deps)));
  deps.wake();
  return withMetadata(deps.db, fresh);
}

/** POST …/versions/{id}/revert: that version becomes current, every later one goes; a no-op on the current one. */
export async function revert(deps: Deps, who: Principal, assetId: string, versionId: string): Promise<AssetView> {
  const asset = await findAsset(deps.db, who, assetId);
  const { chain } = await chainOf(deps.db, asset);
  const later = laterThan(chain, versionId);
  if (!later) throw new NotFound('Version not found');
  if (later.length === 0) return withMetadata(deps.db, asset);
  const target = chain.find((v) => v.id === versionId)!;
  const fresh = await deps.db.transaction().execute((trx) => switchCurrent(trx, deps, who, asset, { next: target, drop: later }, nowText(deps)));
  deps.wake();
  return withMetadata(deps.db, fresh);
}

/**
 * Before assets are permanently deleted (in the deleting transaction): the bytes their edits
 * added to storage use are released, and the blobs and renditions of every version other than
 * the current one (whose blob is the asset's own) are queued for cleanup.
 */
export async function releaseDeleted(trx: Tx, userId: string, libraryId: string, assets: Pick<AssetRow, 'id' | 'library_id' | 'current_version_id'>[], now: string): Promise<void> {
  const rows = await versionStore.listForAssets(trx, assets.map((a) => a.id));
  if (rows.length === 0) return;
  const bytes = rows.filter((v) => v.position > 0).reduce((s, v) => s + v.file_size_bytes, 0);
  if (bytes > 0) {
    await libraryStore.adjustUsage(trx, libraryId, { bytes: -bytes, assets: 0 }, now);
    await userStore.addStorageUsed(trx, userId, -bytes, now);
  }
  const tasks = assets.flatMap((a) => {
    const superseded = rows.filter((v) => v.asset_id === a.id && v.id !== a.current_version_id);
    return superseded.length ? [cleanupTask(a, superseded)] : [];
  });
  await taskStore.enqueue(trx, now, tasks);
}
