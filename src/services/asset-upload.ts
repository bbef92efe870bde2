import { captureColumns } from '../domain/asset-metadata.js';
import { parseIsoDateTime } from '../domain/capture-time.js';
import { newId } from '../domain/ids.js';
import { mediaTypeOfFileName } from '../domain/media-types.js';
import type { TempFile } from '../blobs/temp-file.js';
import { InsufficientStorage, unprocessable, type ValidationIssue, Unprocessable } from '../http/errors.js';
import { type FileMetadata, readFileMetadata } from '../media/exif.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow, MetadataRow } from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as libraryStore from '../store/libraries.js';
import * as searchIndex from './search-index.js';
import * as taskStore from '../store/tasks.js';
import { assetTask } from '../jobs/asset-task.js';
import { burstTask } from '../jobs/burst-detection.js';
import * as versionStore from '../store/asset-versions.js';
import { originalVersionRow } from './asset-versions.js';
import * as userStore from '../store/users.js';
import { type Deps, nowText, type Principal } from './deps.js';
import * as libraries from './libraries.js';

/** The multipart form of §3.11 once its file part has been received. */
export interface UploadForm {
  file: TempFile | undefined;
  fileName: string | undefined;
  /** The file part's own Content-Type header, when it sent one. */
  fileContentType?: string;
  fields: Record<string, string>;
}

export interface UploadResult {
  created: boolean;
  asset: AssetRow;
  metadata: MetadataRow;
}

const REQUIRED_FIELDS = ['device_asset_id', 'device_id', 'file_created_at', 'file_modified_at'] as const;
const MAX_FILE_NAME = 1024;

function checkForm(form: UploadForm) {
  const issues: ValidationIssue[] = [];
  if (!form.file || form.fileName === undefined) issues.push({ loc: ['body', 'asset_data'], msg: 'Field required', type: 'missing' });
  for (const name of REQUIRED_FIELDS) {
    if (form.fields[name] === undefined) issues.push({ loc: ['body', name], msg: 'Field required', type: 'missing' });
  }
  for (const name of ['file_created_at', 'file_modified_at'] as const) {
    const value = form.fields[name];
    if (value !== undefined && !parseIsoDateTime(value)) {
      issues.push({ loc: ['body', name], msg: 'Input should be a valid datetime or date', type: 'datetime_from_date_parsing', input: value });
    }
  }
  if (issues.length) throw new Unprocessable(issues);
  const fileName = form.fileName!;
  if (fileName.length > MAX_FILE_NAME) {
    throw unprocessable(['body', 'asset_data', 'filename'], `String should have at most ${MAX_FILE_NAME} characters`, 'string_too_long');
  }
  const type = mediaTypeOfFileName(fileName);
  if (!type) {
    throw unprocessable(['body', 'asset_data'], `Unsupported file type: ${JSON.stringify(fileName)} is not an image or video file name`, 'value_error', fileName);
  }
  if (form.file!.size === 0) throw unprocessable(['body', 'asset_data'], 'The uploaded file is empty', 'value_error');
  return { file: form.file!, fileName, ...type };
}

/** exiftool recognised the content as something that is certainly not a photo or video. */
function isCertainlyNotMedia(sniffed: string | null): boolean {
  return sniffed !== null && /^(text|audio|font|model)\/|^application\/(pdf|zip|json|xml|x-tar|gzip|msword|vnd\.)/.test(sniffed);
}

async function checkStorageCaps(deps: Pick<Deps, 'db'>, userId: string, library: libraryStore.LibraryRow): Promise<void> {
  const user = await userStore.findById(deps.db, userId);
  if (user?.storage_limit_bytes != null && user.storage_used_bytes >= user.storage_limit_bytes) {
    throw new InsufficientStorage('Your account has reached its storage limit');
  }
  if (library.storage_limit_bytes !== null && library.storage_used_bytes >= library.storage_limit_bytes) {
    throw new InsufficientStorage('This library has reached its storage limit');
  }
}

function metadataRow(assetId: string, now: string, m: FileMetadata): MetadataRow {
  return {
    asset_id: assetId,
    created_at: now,
    updated_at: now,
    make: m.make,
    model: m.model,
    lens_model: m.lensModel,
    f_number: m.fNumber,
    focal_length: m.focalLength,
    exposure_time: m.exposureTime,
    exposure_bias: m.exposureBias,
    iso: m.iso,
    orientation: m.orientation,
    raw_width: m.rawWidth,
    raw_height: m.rawHeight,
    file_original_datetime: m.originalDatetime,
    digitized_datetime: m.digitizedDatetime,
    modified_datetime: m.modifiedDatetime,
    file_latitude: m.latitude,
    file_longitude: m.longitude,
    altitude: m.altitude,
    city: null,
    state: null,
    country: null,
    country_code: null,
    sublocation: m.sublocation,
    place_name: m.placeName,
    timezone: null,
    file_description: m.description,
    fps: m.fps,
    live_photo_cid: m.livePhotoCid,
    projection_type: m.projectionType,
    auto_stack_id: m.autoStackId,
    file_rating: m.rating,
    user_description: null,
    user_latitude: null,
    user_longitude: null,
    user_original_datetime: null,
    user_rating: null,
    motion_photo: m.motionPhoto ? 1 : 0,
  };
}

function blobKey(libraryId: string, assetId: string, fileName: string): string {
  const ext = fileName.includes('.') ? fileName.slice(fileName.lastIndexOf('.')).toLowerCase() : '';
  // Keyed by asset, not content: deleting one asset's bytes can never remove another upload's.
  return `originals/${libraryId}/${assetId.slice(-2)}/${assetId}${ext}`;
}

const isUniqueViolation = (err: unknown) => /unique|duplicate key/i.test(String((err as Error)?.message));

/**
 * §1.8/§3.11: validate, resolve the library, check caps (before dedupe), dedupe by
 * (library, SHA-256), read the file's metadata, store the bytes, then one transaction for
 * the rows, counters and the `asset_created` event. The caller deletes the temp file.
 */
export async function upload(deps: Deps, who: Principal, form: UploadForm): Promise<UploadResult> {
  const { file, fileName, mimeType, mediaType } = checkForm(form);
  const library = await libraries.resolve(deps, who, form.fields.library_id, { createIfNone: true });
  await checkStorageCaps(deps, who.userId, library);
  const existing = await findDuplicate(deps, library.id, file.sha256);
  if (existing) return existing;

  const meta = await readFileMetadata(file.path);
  if (isCertainlyNotMedia(meta.sniffedMimeType)) {
    throw unprocessable(['body', 'asset_data'], `The file's content is ${meta.sniffedMimeType}, not an image or video`, 'value_error');
  }
  const now = nowText(deps);
  const assetId = newId('asset');
  const metadata = metadataRow(assetId, now, meta);
  const upload = { file_created_at: form.fields.file_created_at, created_at: now };
  const asset: AssetRow = {
    id: assetId,
    library_id: library.id,
    created_at: now,
    updated_at: now,
    trashed_at: null,
    mime_type: mimeType,
    media_type: mediaType,
    original_file_name: fileName,
    width: meta.width,
    height: meta.height,
    duration: meta.duration,
    description: null,
    thumbhash: null,
    stack_id: null,
    kind: 'original',
    current_version_id: newId('asset_version'),
    checksum: file.sha256,
    checksum_sha1: file.sha1,
    device_asset_id: form.fields.device_asset_id,
    device_id: form.fields.device_id,
    file_created_at: form.fields.file_created_at,
    file_modified_at: form.fields.file_modified_at,
    file_size_bytes: file.size,
    blob_key: blobKey(library.id, assetId, fileName),
    ...captureColumns(metadata, metadata, upload),
    latitude: meta.latitude !== null && meta.longitude !== null ? meta.latitude : null,
    longitude: meta.latitude !== null && meta.longitude !== null ? meta.longitude : null,
    rating: meta.rating,
    metrics: null,
  };

  // Bytes first, rows second: a crash in between leaves an unreferenced blob, never a row without bytes.
  await deps.blobs.putFile(asset.blob_key, file.path);
  try {
    await deps.db.transaction().execute(async (trx) => {
      await assetStore.insert(trx, asset, metadata);
      await versionStore.insert(trx, originalVersionRow(asset));
      await libraryStore.adjustUsage(trx, library.id, { bytes: file.size, assets: 1 }, now);
      await userStore.addStorageUsed(trx, who.userId, file.size, now);
      await eventStore.append(trx, deps.dialect, now, [{ library_id: library.id, entity_type: 'asset', entity_id: assetId, event_type: 'asset_created' }]);
      await taskStore.enqueue(trx, now, followUpTasks(asset, metadata, now));
      await searchIndex.indexNew(trx, now, asset, metadata);
    });
    deps.wake();
  } catch (err) {
    await deps.blobs.delete(asset.blob_key);
    // A concurrent upload of the same bytes won the race: this one is its duplicate.
    const winner = isUniqueViolation(err) ? await findDuplicate(deps, library.id, file.sha256) : undefined;
    if (winner) return winner;
    throw err;
  }
  return { created: true, asset, metadata };
}

/** The background work every new asset needs (§3.19); each handler enqueues its own follow-ups. */
function followUpTasks(asset: AssetRow, metadata: MetadataRow, now: string): taskStore.NewTask[] {
  const tasks = asset.media_type === 'video' ? [assetTask('video_metadata_extract', asset), assetTask('video_thumbnail_extract', asset)] : [assetTask('thumbhash', asset)];
  if (asset.latitude !== null) tasks.push(assetTask('reverse_geocoding', asset));
  // A photo whose file says when it was taken may belong to a burst (§3.14).
  if (asset.media_type === 'image' && (metadata.file_original_datetime !== null || metadata.auto_stack_id !== null)) tasks.push(burstTask(asset.library_id, now));
  return tasks;
}

async function findDuplicate(deps: Pick<Deps, 'db'>, libraryId: string, sha256: string): Promise<UploadResult | undefined> {
  const asset = await assetStore.findByChecksum(deps.db, libraryId, sha256);
  if (!asset) return undefined;
  const [metadata] = await assetStore.findMetadata(deps.db, [asset.id]);
  return { created: false, asset, metadata };
}
