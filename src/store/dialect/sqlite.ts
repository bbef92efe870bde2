import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
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

export function openSqlite(file: string): { db: Kysely<Database>; adapter: DialectAdapter } {
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  // FULL: a commit (and so an acknowledged upload) survives power loss, not only a killed process.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  database.function('geo_distance_m', { deterministic: true }, haversineMetres);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
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
