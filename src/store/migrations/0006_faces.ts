import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const float = postgres ? 'double precision' : 'real';
  const bytes = postgres ? 'bytea' : 'blob';
  const bytewise = <C extends { modifyFront(s: ReturnType<typeof sql.raw>): C }>(c: C): C => (postgres ? c.modifyFront(sql.raw('collate "C"')) : c);

  await db.schema
    .createTable('people')
    .addColumn('id', 'text', (c) => bytewise(c).primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id'))
    .addColumn('name', 'text')
    .addColumn('birth_date', 'text')
    .addColumn('is_favorite', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('thumbnail_face_id', 'text')
    // Distinct live assets with a face of the person, and face rows; kept current by every writer.
    .addColumn('asset_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('face_count', 'integer', (c) => c.notNull().defaultTo(0))
    // Unit-length mean of the member embeddings (float32 little-endian) and its cohesion.
    .addColumn('centroid', sql.raw(bytes))
    .addColumn('pairwise_mean', sql.raw(float))
    .addColumn('pairwise_p90', sql.raw(float))
    // Bumped by every change of the person's faces: the optimistic lock of DELETE (409).
    .addColumn('faces_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => bytewise(c).notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('people_library_created').on('people').columns(['library_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('faces')
    .addColumn('id', 'text', (c) => bytewise(c).primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id'))
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('person_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    // Who set person_id: 'cluster' (may be revisited), 'user' (never moved), null when unassigned.
    .addColumn('assigned_by', 'text')
    // The person a user detached this face from: clustering never puts it back there.
    .addColumn('detached_from', 'text')
    .addColumn('confidence', sql.raw(float))
    .addColumn('timestamp_ms', 'integer')
    .addColumn('x', 'integer', (c) => c.notNull())
    .addColumn('y', 'integer', (c) => c.notNull())
    .addColumn('w', 'integer', (c) => c.notNull())
    .addColumn('h', 'integer', (c) => c.notNull())
    .addColumn('embedding', sql.raw(bytes))
    // The asset version the face was found on; a new rendering gets detected afresh.
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => bytewise(c).notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('faces_library_created').on('faces').columns(['library_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('faces_asset').on('faces').column('asset_id').execute();
  await db.schema.createIndex('faces_person').on('faces').columns(['person_id', 'asset_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('faces').execute();
  await db.schema.dropTable('people').execute();
}
