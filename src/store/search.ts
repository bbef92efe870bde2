import type { Selectable } from 'kysely';
import { type AssetFilters, type AssetRow, filtered } from './assets.js';
import type { DialectAdapter, FullTextHit, FullTextQuery, VectorHit } from './dialect/adapter.js';
import type { AssetAnalysisTable, AssetEmbeddingTable, Executor } from './schema.js';

export type AnalysisRow = Selectable<AssetAnalysisTable>;
export type EmbeddingRow = Selectable<AssetEmbeddingTable>;

/** Writes an asset's search document; an unchanged document is left alone (no index churn). */
export async function putDocument(db: Executor, row: { asset_id: string; library_id: string; document: string; updated_at: string }): Promise<void> {
  await db
    .insertInto('asset_search')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('asset_id')
        .doUpdateSet((eb) => ({ document: eb.ref('excluded.document'), library_id: eb.ref('excluded.library_id'), updated_at: eb.ref('excluded.updated_at') }))
        .where((eb) => eb.or([eb('asset_search.document', '<>', eb.ref('excluded.document')), eb('asset_search.library_id', '<>', eb.ref('excluded.library_id'))])),
    )
    .execute();
}

export function findDocuments(db: Executor, assetIds: string[]): Promise<{ asset_id: string; document: string }[]> {
  if (assetIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('asset_search').select(['asset_id', 'document']).where('asset_id', 'in', assetIds).execute();
}

export async function addTerms(db: Executor, libraryId: string, terms: string[]): Promise<void> {
  for (let i = 0; i < terms.length; i += 500) {
    await db
      .insertInto('search_terms')
      .values(terms.slice(i, i + 500).map((term) => ({ library_id: libraryId, term })))
      .onConflict((oc) => oc.columns(['library_id', 'term']).doNothing())
      .execute();
  }
}

/** Indexed words that share the first letter and are within `spread` letters of `length`. */
export async function termsLike(db: Executor, libraryId: string, first: string, length: number, spread: number): Promise<string[]> {
  const rows = await db
    .selectFrom('search_terms')
    .select('term')
    .where('library_id', '=', libraryId)
    .where('term', '>=', first)
    .where('term', '<', `${first}\uffff`)
    .where((eb) => eb.between(eb.fn('length', ['term']), length - spread, length + spread))
    .limit(5000)
    .execute();
  return rows.map((r) => r.term);
}

/** The hits whose assets pass the filters, in their order. */
async function passing<H extends { asset_id: string }>(db: Executor, dialect: DialectAdapter, f: AssetFilters, hits: H[]): Promise<H[]> {
  if (hits.length === 0) return [];
  const rows = await filtered(db, dialect, f)
    .select('assets.id')
    .where('assets.id', 'in', hits.map((h) => h.asset_id))
    .execute();
  const allowed = new Set(rows.map((r) => r.id));
  return hits.filter((h) => allowed.has(h.asset_id));
}

/** Headroom over `limit` for hits that the filters (the trash) will drop. */
const headroom = (limit: number) => limit + Math.max(50, Math.ceil(limit / 4));

/**
 * The full-text stage over the filtered assets, best first. Without narrowing filters the
 * index ranks the library's documents alone (no join per match), with headroom for trashed
 * ones; with them, or when too many hits were dropped, only the allowed assets are ranked.
 */
export async function fullText(db: Executor, dialect: DialectAdapter, f: AssetFilters, query: FullTextQuery, limit: number): Promise<FullTextHit[]> {
  if (!narrows(f)) {
    const room = headroom(limit);
    const hits = await dialect.fullText(db, { libraryId: f.libraryId }, query, room);
    const kept = await passing(db, dialect, f, hits);
    // Enough survived, or the index had no more to give.
    if (kept.length >= limit || hits.length < room) return kept.slice(0, limit);
  }
  return dialect.fullText(db, { libraryId: f.libraryId, within: filtered(db, dialect, f).select('assets.id') }, query, limit);
}

/** Filter-only search: every match, newest capture first (ties by id), by page offset. */
export function newestFirst(db: Executor, dialect: DialectAdapter, f: AssetFilters, offset: number, limit: number): Promise<AssetRow[]> {
  return filtered(db, dialect, f).selectAll('assets').orderBy('assets.local_wall', 'desc').orderBy('assets.id', 'desc').offset(offset).limit(limit).execute();
}

/** Whether the filters narrow the library beyond its live (or trashed) assets. */
function narrows(f: AssetFilters): boolean {
  return Object.entries(f).some(([key, value]) => key !== 'libraryId' && key !== 'state' && value !== undefined);
}

/**
 * The `k` assets passing the filters whose embedding is nearest to `vector`, nearest first
 * (exact). Without narrowing filters: the library's KNN with headroom for trashed assets, then
 * filtered; with them, or when too many hits were dropped, a KNN over the allowed assets only.
 */
export async function nearest(db: Executor, dialect: DialectAdapter, f: AssetFilters, q: { model: string; dims: number; vector: Float32Array; k: number }): Promise<VectorHit[]> {
  const base = { libraryId: f.libraryId, model: q.model, dims: q.dims, vector: q.vector };
  if (!narrows(f)) {
    const room = headroom(q.k);
    const hits = await dialect.vectors.nearest(db, { ...base, k: room });
    const kept = await passing(db, dialect, f, hits);
    if (kept.length >= q.k || hits.length < room) return kept.slice(0, q.k);
  }
  return dialect.vectors.nearest(db, { ...base, k: q.k, within: filtered(db, dialect, f).select('assets.id') });
}

/** Names the search document carries: named, visible people with a face in the asset, and its albums. */
export async function namesOnAssets(db: Executor, assetIds: string[]): Promise<{ people: Map<string, string[]>; albums: Map<string, string[]> }> {
  const people = new Map<string, string[]>();
  const albums = new Map<string, string[]>();
  if (assetIds.length === 0) return { people, albums };
  const personRows = await db
    .selectFrom('faces')
    .innerJoin('people', 'people.id', 'faces.person_id')
    .select(['faces.asset_id', 'people.name'])
    .distinct()
    .where('faces.asset_id', 'in', assetIds)
    .where('people.name', 'is not', null)
    .where('people.is_hidden', '=', 0)
    .orderBy('people.name')
    .execute();
  const albumRows = await db
    .selectFrom('album_assets')
    .innerJoin('albums', 'albums.id', 'album_assets.album_id')
    .select(['album_assets.asset_id', 'albums.name'])
    .where('album_assets.asset_id', 'in', assetIds)
    .orderBy('albums.name')
    .execute();
  const add = (map: Map<string, string[]>, id: string, name: string) => map.set(id, [...(map.get(id) ?? []), name]);
  for (const r of personRows) add(people, r.asset_id, r.name!);
  for (const r of albumRows) add(albums, r.asset_id, r.name);
  return { people, albums };
}

/** Assets with a face of one of these people. */
export async function assetsOfPeople(db: Executor, personIds: string[]): Promise<string[]> {
  if (personIds.length === 0) return [];
  const rows = await db.selectFrom('faces').select('asset_id').distinct().where('person_id', 'in', personIds).execute();
  return rows.map((r) => r.asset_id);
}

/** Assets held by one of these albums. */
export async function assetsOfAlbums(db: Executor, albumIds: string[]): Promise<string[]> {
  if (albumIds.length === 0) return [];
  const rows = await db.selectFrom('album_assets').select('asset_id').distinct().where('album_id', 'in', albumIds).execute();
  return rows.map((r) => r.asset_id);
}

export function findAnalysis(db: Executor, assetIds: string[]): Promise<AnalysisRow[]> {
  if (assetIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('asset_analysis').selectAll().where('asset_id', 'in', assetIds).execute();
}

export async function putAnalysis(db: Executor, row: AnalysisRow): Promise<void> {
  await db
    .insertInto('asset_analysis')
    .values(row)
    .onConflict((oc) =>
      oc.column('asset_id').doUpdateSet((eb) => ({
        version_id: eb.ref('excluded.version_id'),
        labels: eb.ref('excluded.labels'),
        ocr_text: eb.ref('excluded.ocr_text'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export function findEmbedding(db: Executor, assetId: string): Promise<Omit<EmbeddingRow, 'vector'> | undefined> {
  return db.selectFrom('asset_embeddings').select(['id', 'asset_id', 'library_id', 'model', 'version_id', 'dims', 'created_at']).where('asset_id', '=', assetId).executeTakeFirst();
}

/** Replaces the asset's embedding: a new row (a new id) so every vector index sees the change. */
export async function putEmbedding(trx: Executor, dialect: DialectAdapter, row: Omit<EmbeddingRow, 'id'>): Promise<void> {
  await trx.deleteFrom('asset_embeddings').where('asset_id', '=', row.asset_id).execute();
  const { id } = await trx.insertInto('asset_embeddings').values(row).returning('id').executeTakeFirstOrThrow();
  await dialect.vectors.added(trx, { id: Number(id), library_id: row.library_id, dims: row.dims, vector: row.vector });
}

/** Live assets with no search document yet (indexed at start-up: rows older than this feature). */
export async function idsWithoutDocument(db: Executor, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('assets')
    .select('assets.id')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('asset_search').select('asset_search.asset_id').whereRef('asset_search.asset_id', '=', 'assets.id'))))
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Rendered, live assets the embedding task has not seen at their current version, or (with a
 * provider) that lack an embedding from `model`.
 */
export async function idsNeedingUnderstanding(db: Executor, model: string | undefined, limit: number): Promise<{ id: string; library_id: string }[]> {
  return db
    .selectFrom('assets')
    .select(['assets.id', 'assets.library_id'])
    .where('assets.thumbhash', 'is not', null)
    .where('assets.trashed_at', 'is', null)
    .where((eb) => {
      const stale = [
        eb.not(
          eb.exists(
            eb.selectFrom('asset_analysis').select('asset_analysis.asset_id').whereRef('asset_analysis.asset_id', '=', 'assets.id').whereRef('asset_analysis.version_id', '=', 'assets.current_version_id'),
          ),
        ),
      ];
      if (model !== undefined) {
        stale.push(
          eb.not(
            eb.exists(
              eb
                .selectFrom('asset_embeddings')
                .select('asset_embeddings.asset_id')
                .whereRef('asset_embeddings.asset_id', '=', 'assets.id')
                .where('asset_embeddings.model', '=', model)
                .whereRef('asset_embeddings.version_id', '=', 'assets.current_version_id'),
            ),
          ),
        );
      }
      const queued = eb.exists(
        eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.asset_id', '=', 'assets.id').where('tasks.task_type', '=', 'embedding').where('tasks.status', 'in', ['pending', 'started']),
      );
      return eb.and([eb.or(stale), eb.not(queued)]);
    })
    .limit(limit)
    .execute();
}
