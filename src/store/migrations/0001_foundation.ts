import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const bigint = postgres ? 'bigint' : 'integer';
  const float = postgres ? 'double precision' : 'real';
  // Ids and ISO timestamps sort byte-wise on SQLite; make PostgreSQL agree whatever its locale.
  const bytewise = <C extends { modifyFront(s: ReturnType<typeof sql.raw>): C }>(c: C): C => (postgres ? c.modifyFront(sql.raw('collate "C"')) : c);

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_superuser', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_verified', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('timezone', 'text')
    .addColumn('storage_limit_bytes', sql.raw(bigint))
    .addColumn('storage_used_bytes', sql.raw(bigint), (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('libraries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('storage_limit_bytes', sql.raw(bigint))
    .addColumn('storage_used_bytes', sql.raw(bigint), (c) => c.notNull().defaultTo(0))
    .addColumn('asset_count', sql.raw(bigint), (c) => c.notNull().defaultTo(0))
    .addColumn('trashed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('libraries_user').on('libraries').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text')
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('library_scope_mode', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('assets')
    .addColumn('id', 'text', (c) => bytewise(c).primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('trashed_at', 'text', bytewise)
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('original_file_name', 'text', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('duration', sql.raw(float))
    .addColumn('description', 'text')
    .addColumn('thumbhash', 'text')
    .addColumn('stack_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('current_version_id', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('checksum_sha1', 'text', (c) => c.notNull())
    .addColumn('device_asset_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('file_created_at', 'text', (c) => c.notNull())
    .addColumn('file_modified_at', 'text', (c) => c.notNull())
    .addColumn('file_size_bytes', sql.raw(bigint), (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('local_wall', 'text', (c) => bytewise(c).notNull())
    .addColumn('local_offset', 'integer')
    .addColumn('local_utc', 'text', bytewise)
    .addColumn('latitude', sql.raw(float))
    .addColumn('longitude', sql.raw(float))
    .addColumn('rating', 'integer')
    .execute();
  // Dedupe key (library, SHA-256), and the two list orders with the id tie-breaker.
  await db.schema.createIndex('assets_library_checksum').unique().on('assets').columns(['library_id', 'checksum']).execute();
  await db.schema.createIndex('assets_library_sha1').on('assets').columns(['library_id', 'checksum_sha1']).execute();
  await db.schema.createIndex('assets_library_device').on('assets').columns(['library_id', 'device_id', 'device_asset_id']).execute();
  await db.schema.createIndex('assets_library_capture').on('assets').columns(['library_id', 'local_wall', 'id']).execute();
  await db.schema.createIndex('assets_library_trashed').on('assets').columns(['library_id', 'trashed_at', 'id']).execute();

  await db.schema
    .createTable('asset_metadata')
    .addColumn('asset_id', 'text', (c) => c.primaryKey().references('assets.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('make', 'text')
    .addColumn('model', 'text')
    .addColumn('lens_model', 'text')
    .addColumn('f_number', sql.raw(float))
    .addColumn('focal_length', sql.raw(float))
    .addColumn('exposure_time', sql.raw(float))
    .addColumn('exposure_bias', sql.raw(float))
    .addColumn('iso', 'integer')
    .addColumn('orientation', 'integer')
    .addColumn('raw_width', 'integer')
    .addColumn('raw_height', 'integer')
    .addColumn('file_original_datetime', 'text')
    .addColumn('digitized_datetime', 'text')
    .addColumn('modified_datetime', 'text')
    .addColumn('file_latitude', sql.raw(float))
    .addColumn('file_longitude', sql.raw(float))
    .addColumn('altitude', sql.raw(float))
    .addColumn('city', 'text')
    .addColumn('state', 'text')
    .addColumn('country', 'text')
    .addColumn('country_code', 'text')
    .addColumn('sublocation', 'text')
    .addColumn('place_name', 'text')
    .addColumn('timezone', 'text')
    .addColumn('file_description', 'text')
    .addColumn('fps', sql.raw(float))
    .addColumn('live_photo_cid', 'text')
    .addColumn('projection_type', 'text')
    .addColumn('auto_stack_id', 'text')
    .addColumn('file_rating', 'integer')
    .addColumn('user_description', 'text')
    .addColumn('user_latitude', sql.raw(float))
    .addColumn('user_longitude', sql.raw(float))
    .addColumn('user_original_datetime', 'text')
    .addColumn('user_rating', 'integer')
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('library_id', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_library_seq').on('events').columns(['library_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['events', 'asset_metadata', 'assets', 'api_keys', 'libraries', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
