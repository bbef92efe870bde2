import type { RawBuilder, SelectQueryBuilder } from 'kysely';
import type { Database, Executor, Tx } from '../schema.js';

/**
 * A full-text query: every group must match (AND); a group matches when any of its words does
 * (OR). Words are folded letters and digits (domain/search-text.ts), so they need no escaping;
 * `prefix` also matches longer words that start with it.
 */
export interface FullTextQuery {
  groups: { word: string; prefix: boolean }[][];
}

export interface FullTextHit {
  asset_id: string;
  /** Higher is more relevant; comparable only within one query. */
  score: number;
}

/** Where to look: one library, and optionally only some of its assets. */
export interface SearchScope {
  libraryId: string;
  /** Only these assets (a query selecting `assets.id`); without it, the whole library. */
  within?: SelectQueryBuilder<Database, 'assets', { id: string }>;
}

export interface NearestQuery extends SearchScope {
  model: string;
  dims: number;
  /** L2-normalised. */
  vector: Float32Array;
  k: number;
}

export interface VectorHit {
  asset_id: string;
  /** Cosine distance, 0 (same direction) to 2. */
  distance: number;
}

/** The nearest-neighbour index over `asset_embeddings` (sqlite-vec on SQLite, in-process on PostgreSQL). */
export interface VectorIndex {
  /** Called in the transaction that inserted the embedding row `id`. */
  added(trx: Executor, row: { id: number; library_id: string; dims: number; vector: Uint8Array }): Promise<void>;
  nearest(db: Executor, query: NearestQuery): Promise<VectorHit[]>;
}

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
  /**
   * The full-text stage: the documents of the scope that match, most relevant first, at most
   * `limit` (FTS5 with bm25 on SQLite; tsvector with ts_rank on PostgreSQL). Trashed assets are
   * not excluded here: callers filter the hits (or pass `within`).
   */
  fullText(db: Executor, scope: SearchScope, query: FullTextQuery, limit: number): Promise<FullTextHit[]>;
  readonly vectors: VectorIndex;
}

export type LockMode = 'update' | 'no_key_update' | 'share';

export const EARTH_RADIUS_M = 6_371_008.8;
