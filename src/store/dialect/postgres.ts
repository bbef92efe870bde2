import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database, Executor } from '../schema.js';
import { VectorCache } from '../vector-cache.js';
import { EARTH_RADIUS_M, type DialectAdapter, type FullTextHit, type FullTextQuery, type VectorIndex } from './adapter.js';

/** tsquery syntax: `|` within a group, `&` between groups, `:*` for a prefix. */
export function tsQuery(query: FullTextQuery): string {
  return query.groups.map((group) => `(${group.map((w) => `${w.word}${w.prefix ? ':*' : ''}`).join(' | ')})`).join(' & ');
}

/** No pgvector in Debian 12: vectors are searched in this process (store/vector-cache.ts). */
function cachedVectors(): VectorIndex {
  const cache = new VectorCache();
  return {
    added: async () => {},
    async nearest(db, q) {
      const allowed = q.within ? new Set((await q.within.execute()).map((r) => r.id)) : undefined;
      return cache.nearest(db, { ...q, allowed });
    },
  };
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const EVENT_STREAM_LOCK = 0x6575636100; // arbitrary, constant per database

/** int8 (counts, byte sizes) and numeric (avg) as JS numbers, as better-sqlite3 returns them. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (v: string) => Number(v);
    if (oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export function openPostgres(connectionString: string): { db: Kysely<Database>; adapter: DialectAdapter } {
  const pool = new pg.Pool({ connectionString, types, max: 10 });
  // An idle client whose backend died (PostgreSQL restarted, or terminated it, as DROP DATABASE
  // … WITH (FORCE) does to a client still closing after pool.end()) is emitted here; pg-pool has
  // already discarded it and the next query connects afresh. Unlistened, the event crashes the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const adapter: DialectAdapter = {
    name: 'postgres',
    lockEventStream: async (trx) => {
      await sql`select pg_advisory_xact_lock(${EVENT_STREAM_LOCK})`.execute(trx);
    },
    // Parameters are cast: PostgreSQL would infer `2 * $1` as integer and reject 6371008.8.
    distanceMetres: (lat, lon, latColumn, lonColumn) => {
      const [r, la, lo] = [EARTH_RADIUS_M, lat, lon].map((v) => sql<number>`cast(${v} as double precision)`);
      return sql<number>`(2 * ${r} * asin(least(1, sqrt(
        power(sin(radians(${sql.ref(latColumn)} - ${la}) / 2), 2)
        + cos(radians(${la})) * cos(radians(${sql.ref(latColumn)})) * power(sin(radians(${sql.ref(lonColumn)} - ${lo}) / 2), 2)))))`;
    },
    skipLocked: (query) => query.forUpdate().skipLocked(),
    lockRows: (query, mode) => (mode === 'update' ? query.forUpdate() : mode === 'no_key_update' ? query.forNoKeyUpdate() : query.forShare()),
    fullText: async (db, scope, query, limit) => {
      if (query.groups.length === 0) return [];
      // The english configuration stems and drops its stopwords, on the document as on the query.
      const within = scope.within ? sql`and s.asset_id in (${scope.within})` : sql``;
      const search = async (trx: Executor) => {
        // A parallel plan for one ranking query costs more than it saves on a small server (twice
        // as slow measured on 2 cores); searches are many and short.
        await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
        const { rows } = await sql<FullTextHit>`
          select s.asset_id, ts_rank(s.tsv, q) as score
          from asset_search s, to_tsquery('english'::regconfig, ${tsQuery(query)}) q
          where s.library_id = ${scope.libraryId} and s.tsv @@ q ${within}
          order by score desc, s.doc_id desc
          limit ${limit}`.execute(trx);
        return rows;
      };
      return db.isTransaction ? search(db) : db.transaction().execute(search);
    },
    vectors: cachedVectors(),
  };
  return { db, adapter };
}
