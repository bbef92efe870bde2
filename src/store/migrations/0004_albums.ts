import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const bigint = postgres ? 'bigint' : 'integer';
  // Ids and ISO timestamps sort byte-wise on SQLite; make PostgreSQL agree whatever its locale.
  const bytewise = <C extends { modifyFront(s: ReturnType<typeof sql.raw>): C }>(c: C): C => (postgres ? c.modifyFront(sql.raw('collate "C"')) : c);

  await db.schema
    .createTable('albums')
    .addColumn('id', 'text', (c) => bytewise(c).primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // The cover the user chose; null = the server chooses one from the live members.
    .addColumn('cover_asset_id', 'text')
    // Live (untrashed) members, kept exact by every change to links or to members' trash state.
    .addColumn('asset_count', sql.raw(bigint), (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => bytewise(c).notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('albums_library_created').on('albums').columns(['library_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('album_assets')
    .addColumn('id', 'text', (c) => bytewise(c).primaryKey())
    .addColumn('album_id', 'text', (c) => c.notNull().references('albums.id').onDelete('cascade'))
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('library_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => bytewise(c).notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('album_assets_album_asset').unique().on('album_assets').columns(['album_id', 'asset_id']).execute();
  await db.schema.createIndex('album_assets_asset').on('album_assets').column('asset_id').execute();
  await db.schema.createIndex('album_assets_library_created').on('album_assets').columns(['library_id', 'created_at', 'id']).execute();

  // DELETE /api/libraries/{id} on a trashed library: purge now instead of after the retention window.
  await db.schema.alterTable('libraries').addColumn('purge_requested_at', 'text').execute();
  // The retention sweep looks for the oldest trashed assets across libraries.
  await db.schema.createIndex('assets_trashed_at').on('assets').column('trashed_at').where(sql.ref('trashed_at'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('assets_trashed_at').execute();
  await db.schema.alterTable('libraries').dropColumn('purge_requested_at').execute();
  await db.schema.dropTable('album_assets').execute();
  await db.schema.dropTable('albums').execute();
}
