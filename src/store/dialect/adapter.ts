import type { RawBuilder, SelectQueryBuilder } from 'kysely';
import type { Database, Tx } from '../schema.js';

/** The few things the two databases do differently; nothing outside `store/dialect/` branches on the dialect. */
export interface DialectAdapter {
  readonly name: 'sqlite' | 'postgres';
  /**
   * Held until commit so event sequence numbers become visible in increasing order: a feed reader
   * that has seen event N can never later find a committed event below N.
   */
  lockEventStream(trx: Tx): Promise<void>;
  /** Great-circle distance in metres between a fixed point and two columns. */
  distanceMetres(lat: number, lon: number, latColumn: string, lonColumn: string): RawBuilder<number>;
  /**
   * Locks the rows a claim selects so concurrent workers take different ones (PostgreSQL
   * `FOR UPDATE SKIP LOCKED`); SQLite's single writer already serialises claims.
   */
  skipLocked<O>(query: SelectQueryBuilder<Database, 'tasks', O>): SelectQueryBuilder<Database, 'tasks', O>;
  /**
   * Row locks for a read-modify-write inside a transaction (PostgreSQL `FOR UPDATE`, `FOR NO KEY
   * UPDATE` — which still lets other transactions insert rows referencing the locked one — or `FOR
   * SHARE`; each waits for a concurrent writer and then re-checks the rows). SQLite's single
   * writer needs none. Use on single-table selects: PostgreSQL would lock joined tables' rows too.
   */
  lockRows<TB extends keyof Database, O>(query: SelectQueryBuilder<Database, TB, O>, mode: LockMode): SelectQueryBuilder<Database, TB, O>;
}

export type LockMode = 'update' | 'no_key_update' | 'share';

export const EARTH_RADIUS_M = 6_371_008.8;
