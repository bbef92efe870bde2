import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
//
// Search: the per-asset search document with its full-text index (FTS5 on SQLite, a generated
// tsvector with a GIN index on PostgreSQL), the words seen per library (typo tolerance), the
// understanding results (labels, OCR, quality metrics) and image embeddings. Accents are
// folded by the application before text reaches either database, so neither needs `unaccent`.
// The sqlite-vec KNN table depends on the embedding size and is created at run time.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const assetRef = (c: any) => (postgres ? c.modifyFront(sql.raw('collate "C"')) : c).notNull().references('assets.id').onDelete('cascade');
  const assetId = (c: any) => assetRef(c).unique();
  const serial = (c: any) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement());
  const serialType = postgres ? 'bigserial' : 'integer';

  // Quality scores as a JSON object (`include=metrics`); null until the embedding task ran.
  await db.schema.alterTable('assets').addColumn('metrics', 'text').execute();

  await db.schema
    .createTable('asset_analysis')
    .addColumn('asset_id', 'text', (c) => assetRef(c).primaryKey())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('ocr_text', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('asset_search')
    .addColumn('doc_id', sql.raw(serialType), serial)
    .addColumn('asset_id', 'text', assetId)
    .addColumn('library_id', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  if (postgres) {
    await sql`alter table asset_search add column tsv tsvector generated always as (to_tsvector('english'::regconfig, document)) stored`.execute(db);
    await sql`create index asset_search_tsv on asset_search using gin (tsv)`.execute(db);
  } else {
    // External content: the text lives once, in asset_search; triggers keep the index in step.
    await sql`create virtual table asset_search_fts using fts5(document, content='asset_search', content_rowid='doc_id', tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
    await sql`create trigger asset_search_ai after insert on asset_search begin
      insert into asset_search_fts(rowid, document) values (new.doc_id, new.document);
    end`.execute(db);
    await sql`create trigger asset_search_ad after delete on asset_search begin
      insert into asset_search_fts(asset_search_fts, rowid, document) values ('delete', old.doc_id, old.document);
    end`.execute(db);
    await sql`create trigger asset_search_au after update on asset_search begin
      insert into asset_search_fts(asset_search_fts, rowid, document) values ('delete', old.doc_id, old.document);
      insert into asset_search_fts(rowid, document) values (new.doc_id, new.document);
    end`.execute(db);
  }

  await db.schema
    .createTable('search_terms')
    .addColumn('library_id', 'text', (c) => c.notNull())
    .addColumn('term', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_terms_pk', ['library_id', 'term'])
    .execute();

  await db.schema
    .createTable('asset_embeddings')
    .addColumn('id', sql.raw(serialType), serial)
    .addColumn('asset_id', 'text', assetId)
    .addColumn('library_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('dims', 'integer', (c) => c.notNull())
    // Float32, little-endian, L2-normalised.
    .addColumn('vector', sql.raw(postgres ? 'bytea' : 'blob'), (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('asset_embeddings_library').on('asset_embeddings').columns(['library_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.dropTable('asset_embeddings').execute();
  await db.schema.dropTable('search_terms').execute();
  if (!postgres) await sql`drop table asset_search_fts`.execute(db);
  await db.schema.dropTable('asset_search').execute();
  await db.schema.dropTable('asset_analysis').execute();
  await db.schema.alterTable('assets').dropColumn('metrics').execute();
}
