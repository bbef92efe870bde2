import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/**
 * Column conventions (both dialects read them back identically): text ids, ISO-8601 UTC text
 * timestamps (`…T…Z`, millisecond precision, so they sort as text), 0/1 integers for booleans,
 * JSON as text. Capture time is a wall clock (`local_wall`, fixed width) plus an optional offset.
 */
export interface UserTable {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  is_active: number;
  is_superuser: number;
  is_verified: number;
  timezone: string | null;
  storage_limit_bytes: number | null;
  storage_used_bytes: number;
  /** Session tokens issued before this instant are refused; null = none revoked. */
  sessions_valid_after: string | null;
  created_at: string;
  updated_at: string;
}

export interface LibraryTable {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  storage_limit_bytes: number | null;
  storage_used_bytes: number;
  asset_count: number;
  trashed_at: string | null;
  /** Set by DELETE on a trashed library: purge it now rather than after the retention window. */
  purge_requested_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiKeyTable {
  id: string;
  user_id: string;
  name: string | null;
  key_hash: string;
  /** JSON array of `read` | `write` | `delete` | `delete_permanently`. */
  actions: string;
  library_scope_mode: 'all_libraries' | 'selected_libraries';
  /** JSON array of the `selected_libraries`; null for `all_libraries`. */
  library_ids: string | null;
  is_active: number;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AssetTable {
  id: string;
  library_id: string;
  created_at: string;
  updated_at: string;
  trashed_at: string | null;
  mime_type: string;
  media_type: 'image' | 'video';
  original_file_name: string;
  width: number | null;
  height: number | null;
  duration: number | null;
  description: string | null;
  thumbhash: string | null;
  stack_id: string | null;
  kind: string;
  current_version_id: string;
  checksum: string;
  checksum_sha1: string;
  device_asset_id: string;
  device_id: string;
  file_created_at: string;
  file_modified_at: string;
  file_size_bytes: number;
  blob_key: string;
  /** Effective capture time, wall clock `YYYY-MM-DDTHH:MM:SS.mmm` (the list order). */
  local_wall: string;
  /** Offset of `local_wall` from UTC in minutes; null when unknown (naive). */
  local_offset: number | null;
  /** `local_wall − local_offset` as UTC text; null when the offset is unknown. */
  local_utc: string | null;
  /** Effective GPS and rating (user override, else file), denormalised for filters. */
  latitude: number | null;
  longitude: number | null;
  rating: number | null;
  /** Quality scores as a JSON object (`include=metrics`); null until the embedding task ran. */
  metrics: ColumnType<string | null, string | null | undefined, string | null>;
}

/** What the file says (`file_*`), what the user set (`user_*`, null = no override), and derived place names. */
export interface AssetMetadataTable {
  asset_id: string;
  created_at: string;
  updated_at: string;
  make: string | null;
  model: string | null;
  lens_model: string | null;
  f_number: number | null;
  focal_length: number | null;
  exposure_time: number | null;
  exposure_bias: number | null;
  iso: number | null;
  orientation: number | null;
  raw_width: number | null;
  raw_height: number | null;
  file_original_datetime: string | null;
  digitized_datetime: string | null;
  modified_datetime: string | null;
  file_latitude: number | null;
  file_longitude: number | null;
  altitude: number | null;
  city: string | null;
  state: string | null;
  country: string | null;
  country_code: string | null;
  sublocation: string | null;
  place_name: string | null;
  timezone: string | null;
  file_description: string | null;
  fps: number | null;
  live_photo_cid: string | null;
  projection_type: string | null;
  auto_stack_id: string | null;
  file_rating: number | null;
  user_description: string | null;
  user_latitude: number | null;
  user_longitude: number | null;
  user_original_datetime: string | null;
  user_rating: number | null;
  /** Added by migration 0007 (default 0). */
  motion_photo: Generated<number>;
}

/** §1.15: membership is `assets.stack_id`; `version` is bumped by every change (optimistic concurrency). */
export interface AssetStackTable {
  id: string;
  library_id: string;
  origin: 'auto_burst' | 'user';
  primary_asset_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * §1.9: one rendering of an asset. Position 0 is the upload (its id is the asset's first
 * `current_version_id`); the asset row mirrors the current version's blob, MIME type and size.
 */
export interface AssetVersionTable {
  id: string;
  asset_id: string;
  position: number;
  kind: string;
  mime_type: string;
  width: number | null;
  height: number | null;
  /** Stored bytes of this version. */
  file_size_bytes: number;
  /** Base64 SHA-256 of the stored bytes. */
  checksum: string | null;
  /** Base64 SHA-256 of the bytes the client sent (equal to `checksum` for the upload). */
  source_checksum: string | null;
  blob_key: string;
  /** JSON object text; null only for the upload. */
  params: string | null;
  created_at: string;
}

export interface EventTable {
  /** Monotonic sequence; the opaque cursor is derived from it. */
  seq: Generated<number>;
  library_id: string;
  entity_type: string;
  entity_id: string;
  event_type: string;
  payload: string | null;
  created_at: string;
}

export type TaskStatus = 'pending' | 'started' | 'success' | 'failure';

/** The durable queue row is also the task `/api/tasks` shows (spec §2.23). */
export interface TaskTable {
  id: string;
  celery_task_id: string;
  task_type: string;
  library_id: string;
  asset_id: string | null;
  payload: string;
  /** `started` covers running and waiting for a retry (locked_by null, run_at in the future). */
  status: TaskStatus;
  priority: number;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  lease_until: string | null;
  key: string | null;
  error_message: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface PersonTable {
  id: string;
  library_id: string;
  name: string | null;
  /** YYYY-MM-DD. */
  birth_date: string | null;
  is_favorite: number;
  is_hidden: number;
  thumbnail_face_id: string | null;
  /** Distinct live assets with a face of the person (precomputed, spec §2.14). */
  asset_count: number;
  face_count: number;
  /** Unit-length mean embedding, float32 little-endian; null without embedded faces. */
  centroid: Buffer | null;
  pairwise_mean: number | null;
  pairwise_p90: number | null;
  /** Bumped by every change of the person's faces (the optimistic lock of DELETE). */
  faces_version: number;
  created_at: string;
  updated_at: string;
}

export interface AlbumTable {
  id: string;
  library_id: string;
  name: string;
  description: string | null;
  /** The cover the user chose (shown while it is a live member); null = the server chooses. */
  cover_asset_id: string | null;
  /** Live (untrashed) members; changed only by deltas in the transactions that change membership or trash state. */
  asset_count: number;
  created_at: string;
  updated_at: string;
}

export interface FaceTable {
  id: string;
  library_id: string;
  asset_id: string;
  person_id: string | null;
  source: 'automatic' | 'manual';
  /** 'cluster' (may be revisited by re-clustering), 'user' (never moved), null when unassigned. */
  assigned_by: 'cluster' | 'user' | null;
  /** Person a user detached the face from; clustering never assigns it back there. */
  detached_from: string | null;
  confidence: number | null;
  timestamp_ms: number | null;
  /** Box in the asset's display-space pixels. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** float32 little-endian, unit length; null for manual faces. */
  embedding: Buffer | null;
  version_id: string;
  created_at: string;
  updated_at: string;
}

/** What the embedding task saw in the picture, for the search document. */
export interface AssetAnalysisTable {
  asset_id: string;
  /** The asset version the results describe; another version is analysed again. */
  version_id: string;
  /** JSON array of `{label, score}` from the object detector, best first. */
  labels: string;
  /** Words read from the picture (OCR), space-separated; null when none. */
  ocr_text: string | null;
  created_at: string;
  updated_at: string;
}

export interface AlbumAssetTable {
  id: string;
  album_id: string;
  asset_id: string;
  library_id: string;
  created_at: string;
  updated_at: string;
}

/** The folded text the full-text stage indexes (dialect-specific index beside it). */
export interface AssetSearchTable {
  doc_id: Generated<number>;
  asset_id: string;
  library_id: string;
  document: string;
  updated_at: string;
}

/** Every word of a library's documents, for typo-tolerant query expansion (never pruned). */
export interface SearchTermTable {
  library_id: string;
  term: string;
}

/** One image embedding per asset; `id` grows on every write (vector index row, cache freshness). */
export interface AssetEmbeddingTable {
  id: Generated<number>;
  asset_id: string;
  library_id: string;
  model: string;
  version_id: string;
  dims: number;
  /** Float32 little-endian, L2-normalised. */
  vector: Uint8Array;
  created_at: string;
}

export interface SettingTable {
  key: string;
  value: string;
}

/** A first-party login between `auth-url` and `exchange` (§1.5). */
export interface LoginStateTable {
  state: string;
  nonce: string;
  redirect_uri: string;
  expires_at: string;
}

export interface Database {
  users: UserTable;
  libraries: LibraryTable;
  api_keys: ApiKeyTable;
  assets: AssetTable;
  asset_metadata: AssetMetadataTable;
  asset_stacks: AssetStackTable;
  asset_versions: AssetVersionTable;
  events: EventTable;
  tasks: TaskTable;
  settings: SettingTable;
  login_states: LoginStateTable;
  people: PersonTable;
  faces: FaceTable;
  albums: AlbumTable;
  album_assets: AlbumAssetTable;
  asset_analysis: AssetAnalysisTable;
  asset_search: AssetSearchTable;
  search_terms: SearchTermTable;
  asset_embeddings: AssetEmbeddingTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Anything that runs queries: the database or an open transaction. */
export type Executor = Kysely<Database>;
