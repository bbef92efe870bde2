import SqliteDatabase from 'better-sqlite3';
import { Kysely, type SqliteDatabase as KyselySqliteDatabase, SqliteDialect, type SqliteStatement, sql } from 'kysely';
import type { Database } from '../schema.js';
import { EARTH_RADIUS_M, type DialectAdapter } from './adapter.js';

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
        statement = database.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

export function openSqlite(file: string): { db: Kysely<Database>; adapter: DialectAdapter } {
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a killed process (the WAL is in the OS before commit
  // returns); only a power cut can lose the last transactions, and the upload blobs are fsynced.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  database.function('geo_distance_m', { deterministic: true }, haversineMetres);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  const adapter: DialectAdapter = {
    name: 'sqlite',
    // SQLite has a single writer and Kysely a single connection: transactions are already serial.
    lockEventStream: async () => {},
    distanceMetres: (lat, lon, latColumn, lonColumn) =>
      sql<number>`geo_distance_m(${lat}, ${lon}, ${sql.ref(latColumn)}, ${sql.ref(lonColumn)})`,
    skipLocked: (query) => query,
    lockRows: (query) => query,
  };
  return { db, adapter };
}
