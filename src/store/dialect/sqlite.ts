import SqliteDatabase from 'better-sqlite3';
import { Kysely, type SqliteDatabase as KyselySqliteDatabase, SqliteDialect, type SqliteStatement, sql } from 'kysely';
import * as sqliteVec from 'sqlite-vec';
import type { Database, Executor } from '../schema.js';
import { EARTH_RADIUS_M, type DialectAdapter, type FullTextQuery, type VectorIndex } from './adapter.js';

/** FTS5 query syntax: quoted words (so AND/OR/NEAR are words too), `*` for a prefix. */
export function fts5Match(query: FullTextQuery): string {
  return query.groups.map((group) => `(${group.map((w) => `"${w.word.replace(/"/g, '""')}"${w.prefix ? '*' : ''}`).join(' OR ')})`).join(' AND ');
}

function checkDims(dims: number): number {
  if (!Number.isInteger(dims) || dims < 1 || dims > 8192) throw new RangeError(`embedding size must be 1-8192, got ${dims}`);
  return dims;
}

/**
 * sqlite-vec: one vec0 table per embedding size (its column type fixes the size), partitioned by
 * library, rowid = asset_embeddings.id; a trigger removes a row with its embedding.
 */
function sqliteVectors(forSearch: (executor: Executor) => Executor): VectorIndex {
  const ready = new Set<number>();
  const table = (dims: number) => sql.table(`asset_vec_${checkDims(dims)}`);
  return {
    async added(trx, row) {
      if (!ready.has(row.dims)) {
        const name = `asset_vec_${checkDims(row.dims)}`;
        await sql`create virtual table if not exists ${sql.table(name)} using vec0(library_id text partition key, embedding float[${sql.raw(String(row.dims))}] distance_metric=cosine)`.execute(trx);
        await sql`create trigger if not exists ${sql.raw(`${name}_delete`)} after delete on asset_embeddings when old.dims = ${sql.raw(String(row.dims))} begin
          delete from ${sql.table(name)} where rowid = old.id;
        end`.execute(trx);
        ready.add(row.dims);
      }
      await sql`insert into ${table(row.dims)}(rowid, library_id, embedding) values (cast(${row.id} as integer), ${row.library_id}, ${row.vector})`.execute(trx);
    },
    async nearest(db: Executor, q) {
      const vector = Buffer.from(q.vector.buffer, q.vector.byteOffset, q.vector.byteLength);
      const reader = forSearch(db);
      const exists = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${`asset_vec_${checkDims(q.dims)}`}`.execute(reader);
      if (!exists.rows[0]?.n) return [];
      // With `within`, the KNN only considers those assets' rows (exact, like the whole library).
      const within = q.within
        ? sql`and rowid in (select e.id from asset_embeddings e where e.asset_id in (${q.within}) and e.model = ${q.model})`
        : sql``;
      const { rows } = await sql<{ asset_id: string; distance: number }>`
        with knn as (select rowid, distance from ${table(q.dims)} where embedding match ${vector} and k = ${q.k} and library_id = ${q.libraryId} ${within})
        select e.asset_id, knn.distance from knn join asset_embeddings e on e.id = knn.rowid
        where e.model = ${q.model} order by knn.distance`.execute(reader);
      return rows;
    },
  };
}

function haversineMetres(lat1: number, lon1: number, lat2: number | null, lon2: number | null): number | null {
  if (lat2 === null || lon2 === null) return null;
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Rows as plain objects built by a function compiled per statement: better-sqlite3 builds each
 * row object through V8's API one property at a time, which costs twice as much as reading the
 * row as an array and filling an object literal of a fixed shape (a 200-row page with metadata:
 * ~2 ms of ~15). Later columns of the same name win, as in better-sqlite3's objects.
 */
function readerOf(statement: SqliteDatabase.Statement): SqliteStatement {
  const columns = statement.columns().map((c, i) => `${JSON.stringify(c.name)}: r[${i}]`);
  const toObject = new Function('r', `return {${columns.join(', ')}};`) as (row: unknown[]) => unknown;
  statement.raw(true);
  return {
    reader: true,
    all: (parameters) => (statement.all(parameters) as unknown[][]).map(toObject),
    run: (parameters) => statement.run(parameters),
    *iterate(parameters) {
      for (const row of statement.iterate(parameters) as IterableIterator<unknown[]>) yield toObject(row);
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query anew, and planning a statement costs more than
 * running a primary-key lookup. Statements are reused by SQL text (least recently used out
 * first); Kysely's single-connection mutex means no two queries ever share one at once.
 */
function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text) {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        const prepared = database.prepare(text);
        statement = prepared.reader ? readerOf(prepared) : prepared;
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/** Address space the search connection may map; pages count as memory only once read. */
const SEARCH_MMAP_BYTES = 4 * 2 ** 30;

/** The SQL functions and extensions every connection needs (distance filters, sqlite-vec). */
function prepareConnection(database: SqliteDatabase.Database): SqliteDatabase.Database {
  database.function('geo_distance_m', { deterministic: true }, haversineMetres);
  sqliteVec.load(database);
  return database;
}

export function openSqlite(file: string): { db: Kysely<Database>; adapter: DialectAdapter; close(): Promise<void> } {
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a killed process (the WAL is in the OS before commit
  // returns); only a power cut can lose the last transactions, and the upload blobs are fsynced.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  prepareConnection(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  // Searches scan whole indexes (FTS5, a KNN over every vector of a library) and read through
  // their own read-only connection that maps the file: a 100k × 512-d KNN takes ~60 ms mapped
  // and ~100+ ms through read() calls. The main connection does not map: the pages lists, reads
  // and uploads touch stay in its small page cache instead of the server's resident memory.
  const searchDatabase = prepareConnection(new SqliteDatabase(file, { readonly: true }));
  searchDatabase.pragma(`mmap_size = ${SEARCH_MMAP_BYTES}`);
  const searchDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(searchDatabase) }) });
  // Inside a transaction a search must see the transaction's own writes: it stays on that connection.
  const forSearch = (executor: Executor): Executor => (executor.isTransaction ? executor : searchDb);
  const adapter: DialectAdapter = {
    name: 'sqlite',
    // SQLite has a single writer and Kysely a single connection: transactions are already serial.
    lockEventStream: async () => {},
    distanceMetres: (lat, lon, latColumn, lonColumn) =>
      sql<number>`geo_distance_m(${lat}, ${lon}, ${sql.ref(latColumn)}, ${sql.ref(lonColumn)})`,
    skipLocked: (query) => query,
    lockRows: (query) => query,
    fullText: async (db, scope, query, limit) => {
      if (query.groups.length === 0) return [];
      const within = scope.within ? sql`and s.asset_id in (${scope.within})` : sql``;
      const { rows } = await sql<{ asset_id: string; rank: number }>`
        select s.asset_id, bm25(asset_search_fts) as rank
        from asset_search_fts join asset_search s on s.doc_id = asset_search_fts.rowid
        where asset_search_fts match ${fts5Match(query)} and s.library_id = ${scope.libraryId} ${within}
        order by rank, s.doc_id desc
        limit ${limit}`.execute(forSearch(db));
      // bm25() is lower for better matches.
      return rows.map((r) => ({ asset_id: r.asset_id, score: -r.rank }));
    },
    vectors: sqliteVectors(forSearch),
  };
  return {
    db,
    adapter,
    async close() {
      await searchDb.destroy();
      await db.destroy();
    },
  };
}
