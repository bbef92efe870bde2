import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const bigint = postgres ? 'bigint' : 'integer';
  // Ids sort byte-wise on SQLite; make PostgreSQL agree whatever its locale (stacks list by id).
  const bytewise = <C extends { modifyFront(s: ReturnType<typeof sql.raw>): C }>(c: C): C => (postgres ? c.modifyFront(sql.raw('collate "C"')) : c);

  // §1.15: a stack groups assets of one library; membership lives on assets.stack_id. Purging a
  // library removes its stacks with it; versions go with their asset.
  await db.schema
    .createTable('asset_stacks')
    .addColumn('id', 'text', (c) => bytewise(c).primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('primary_asset_id', 'text')
    // Bumped by every change to the stack or its membership: the optimistic-concurrency token.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('asset_stacks_library_id').on('asset_stacks').columns(['library_id', 'id']).execute();
  await db.schema.createIndex('asset_stacks_primary').on('asset_stacks').column('primary_asset_id').execute();
  await db.schema.createIndex('assets_stack').on('assets').columns(['stack_id', 'trashed_at']).execute();

  // §1.9: the linear chain of renderings of an asset; position 0 is the upload.
  await db.schema
    .createTable('asset_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('file_size_bytes', sql.raw(bigint), (c) => c.notNull())
    // SHA-256 (base64) of the stored bytes, and of the bytes the client sent (equal for the upload).
    .addColumn('checksum', 'text')
    .addColumn('source_checksum', 'text')
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('params', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('asset_versions_asset_position').unique().on('asset_versions').columns(['asset_id', 'position']).execute();

  // Every existing asset is its own upload: give it its position-0 row.
  await sql`
    insert into asset_versions (id, asset_id, position, kind, mime_type, width, height, file_size_bytes, checksum, source_checksum, blob_key, params, created_at)
    select current_version_id, id, 0, 'original', mime_type, width, height, file_size_bytes, checksum, checksum, blob_key, null, created_at
    from assets`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('asset_versions').execute();
  await db.schema.dropIndex('assets_stack').execute();
  await db.schema.dropTable('asset_stacks').execute();
}
