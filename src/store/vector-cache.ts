/**
 * The nearest-neighbour index Eucalypt keeps itself where the database has none (PostgreSQL
 * without pgvector, which Debian 12 does not package): each library's vectors for one model in
 * one Float32Array, searched exhaustively (100k × 512-d in about 60 ms on one core).
 *
 * `asset_embeddings.id` grows with every write (a re-embedded asset gets a new row), so a cache
 * stays fresh by loading the rows above the highest id it holds; a replaced asset's slot is
 * overwritten. Deleted assets linger until the periodic recount reloads the library; callers
 * drop them anyway by filtering hits through the assets table.
 */
import { type VectorHit } from './dialect/adapter.js';
import type { Executor } from './schema.js';

const RECOUNT_MS = 60_000;
const LOAD_BATCH = 5000;

interface Entry {
  dims: number;
  vectors: Float32Array;
  ids: string[];
  slotOf: Map<string, number>;
  maxId: number;
  checkedAt: number;
}

export function toFloat32(bytes: Uint8Array): Float32Array {
  // Copy: a Buffer from the driver may share (and misalign) a larger pool.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export class VectorCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The `k` nearest of the library's vectors (optionally only `allowed` assets), closest first. */
  async nearest(db: Executor, q: { libraryId: string; model: string; dims: number; vector: Float32Array; k: number; allowed?: ReadonlySet<string> }): Promise<VectorHit[]> {
    const entry = await this.fresh(db, q.libraryId, q.model, q.dims);
    return topK(entry, q.vector, q.k, q.allowed);
  }

  private async fresh(db: Executor, libraryId: string, model: string, dims: number): Promise<Entry> {
    const key = `${libraryId}\u0000${model}\u0000${dims}`;
    // One refresh at a time per library: concurrent searches share it.
    const running = this.loading.get(key);
    if (running) return running;
    const work = this.refresh(db, key, libraryId, model, dims).finally(() => this.loading.delete(key));
    this.loading.set(key, work);
    return work;
  }

  private async refresh(db: Executor, key: string, libraryId: string, model: string, dims: number): Promise<Entry> {
    const count = async () => {
      const row = await db
        .selectFrom('asset_embeddings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('library_id', '=', libraryId)
        .where('model', '=', model)
        .where('dims', '=', dims)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    let entry = this.entries.get(key);
    if (entry && this.now() - entry.checkedAt > RECOUNT_MS) {
      if ((await count()) !== entry.ids.length) entry = undefined;
      else entry.checkedAt = this.now();
    }
    // A (re)load sizes the matrix once, with room for the next uploads.
    entry ??= { dims, vectors: new Float32Array(((await count()) + 1024) * dims), ids: [], slotOf: new Map(), maxId: 0, checkedAt: this.now() };
    this.entries.set(key, entry);
    for (;;) {
      const rows = await db
        .selectFrom('asset_embeddings')
        .select(['id', 'asset_id', 'vector'])
        .where('library_id', '=', libraryId)
        .where('model', '=', model)
        .where('dims', '=', dims)
        .where('id', '>', entry.maxId)
        .orderBy('id')
        .limit(LOAD_BATCH)
        .execute();
      for (const row of rows) put(entry, row.asset_id, toFloat32(row.vector));
      if (rows.length > 0) entry.maxId = Number(rows[rows.length - 1].id);
      if (rows.length < LOAD_BATCH) return entry;
    }
  }
}

function put(entry: Entry, assetId: string, vector: Float32Array): void {
  if (vector.length !== entry.dims) return;
  let slot = entry.slotOf.get(assetId);
  if (slot === undefined) {
    slot = entry.ids.length;
    if ((slot + 1) * entry.dims > entry.vectors.length) {
      const grown = new Float32Array(Math.max(1024, Math.ceil(slot * 1.25)) * entry.dims);
      grown.set(entry.vectors);
      entry.vectors = grown;
    }
    entry.ids.push(assetId);
    entry.slotOf.set(assetId, slot);
  }
  entry.vectors.set(vector, slot * entry.dims);
}

/** Exhaustive cosine search over L2-normalised vectors (distance = 1 − dot), with a bounded heap. */
function topK(entry: Entry, query: Float32Array, k: number, allowed?: ReadonlySet<string>): VectorHit[] {
  const { dims, vectors, ids } = entry;
  if (query.length !== dims || k <= 0) return [];
  const heapScore = new Float64Array(k);
  const heapSlot = new Int32Array(k);
  let size = 0;
  for (let slot = 0; slot < ids.length; slot++) {
    if (allowed && !allowed.has(ids[slot])) continue;
    const base = slot * dims;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j + 3 < dims; j += 4) {
      s0 += vectors[base + j] * query[j];
      s1 += vectors[base + j + 1] * query[j + 1];
      s2 += vectors[base + j + 2] * query[j + 2];
      s3 += vectors[base + j + 3] * query[j + 3];
    }
    for (; j < dims; j++) s0 += vectors[base + j] * query[j];
    const score = s0 + s1 + s2 + s3;
    // Min-heap of the best k dot products: the root is the weakest kept.
    if (size < k) {
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heapScore[parent] <= score) break;
        heapScore[i] = heapScore[parent];
        heapSlot[i] = heapSlot[parent];
        i = parent;
      }
      heapScore[i] = score;
      heapSlot[i] = slot;
    } else if (score > heapScore[0]) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && heapScore[r] < heapScore[l] ? r : l;
        if (heapScore[c] >= score) break;
        heapScore[i] = heapScore[c];
        heapSlot[i] = heapSlot[c];
        i = c;
      }
      heapScore[i] = score;
      heapSlot[i] = slot;
    }
  }
  const hits: VectorHit[] = [];
  for (let i = 0; i < size; i++) hits.push({ asset_id: ids[heapSlot[i]], distance: 1 - heapScore[i] });
  return hits.sort((a, b) => a.distance - b.distance || (a.asset_id < b.asset_id ? -1 : 1));
}
