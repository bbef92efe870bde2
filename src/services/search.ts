/**
 * §1.14 search. With content (a `query`, an `image`): up to three ranked stages over the assets
 * the filters allow, each capped at 200 — full-text over the search document, dense text→image
 * (when an embedding provider is configured) and dense image→image — fused by reciprocal rank,
 * the fused top 50 optionally reranked, 200 candidates in all, paged. Without content: every
 * match, newest first, paged, no cap. `distance` is the best dense-stage cosine distance.
 */
import { applyRerank, reciprocalRankFusion } from '../domain/rank-fusion.js';
import { closeWords, queryTerms, typoBudget } from '../domain/search-text.js';
import { mediaTypeOfFileName } from '../domain/media-types.js';
import { Unavailable, unprocessable } from '../http/errors.js';
import { openImage } from '../media/decode.js';
import { isUndecodableMedia } from '../media/errors.js';
import { renderRung } from '../media/render.js';
import { embeddingProvider, type EmbeddingProvider } from '../ml/embeddings.js';
import { ProviderError } from '../ml/http-client.js';
import { reranker } from '../ml/reranker.js';
import * as assetStore from '../store/assets.js';
import type { AssetFilters } from '../store/assets.js';
import type { FullTextQuery } from '../store/dialect/adapter.js';
import * as searchStore from '../store/search.js';
import { type AssetFilterInput, type AssetView, resolveFilters, withMetadata } from './assets.js';
import type { Deps, Principal } from './deps.js';

/** Ranked population of a content search (§3.5): pages beyond it are empty. */
export const CANDIDATE_CAP = 200;
/** How many fused candidates the reranker sees (§1.14). */
export const RERANK_HEAD = 50;

export interface SearchInput {
  query?: string;
  album_id?: string;
  person_ids?: string[];
  local_datetime_after?: string;
  local_datetime_before?: string;
  bbox?: string;
  center?: string;
  radius?: number;
  library_id?: string;
  limit: number;
  page: number;
}

/** The uploaded query image of POST /api/search, already on disk. */
export interface QueryImage {
  path: string;
  fileName: string | undefined;
  sha256: string;
}

export interface SearchHit extends AssetView {
  distance: number | null;
}

export interface SearchLog {
  warn(obj: object, msg?: string): void;
}

const silent: SearchLog = { warn() {} };

export async function search(
  deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'blobs' | 'tmpDir'>,
  who: Principal,
  input: SearchInput,
  options: { image?: QueryImage; withMetadata: boolean; part: 'query' | 'body'; log?: SearchLog },
): Promise<SearchHit[]> {
  const query = input.query?.trim() ? input.query : undefined;
  const hasCriterion = query !== undefined || options.image !== undefined || input.album_id !== undefined || (input.person_ids?.length ?? 0) > 0 || input.local_datetime_after !== undefined || input.local_datetime_before !== undefined;
  if (!hasCriterion) {
    throw unprocessable([options.part], `Provide at least one search criterion: query${options.part === 'body' ? ', image' : ''}, album_id, person_ids, local_datetime_after or local_datetime_before (a location alone is not one)`);
  }
  const filters = await searchFilters(deps, who, input);
  const offset = (input.page - 1) * input.limit;

  if (query === undefined && options.image === undefined) {
    const rows = await searchStore.newestFirst(deps.db, deps.dialect, filters, offset, input.limit);
    return (await withMetadata(deps.db, rows, options.withMetadata)).map((v) => ({ ...v, distance: null }));
  }

  const log = options.log ?? silent;
  const provider = embeddingProvider(deps.config);
  const lists: string[][] = [];
  const distances = new Map<string, number>();
  const dense = (hits: { asset_id: string; distance: number }[]) => {
    for (const h of hits) distances.set(h.asset_id, Math.min(h.distance, distances.get(h.asset_id) ?? Infinity));
    lists.push(hits.map((h) => h.asset_id));
  };

  if (query !== undefined) {
    lists.push(await fullTextStage(deps, filters, queryTerms(query)));
    if (provider) {
      // A provider outage degrades a text search to full text; it does not fail it.
      try {
        dense(await nearestTo(deps, filters, provider, await provider.embedText(query)));
      } catch (err) {
        log.warn({ err }, 'text embedding failed; searching without the dense stage');
      }
    }
  }
  if (options.image) dense(await imageStage(deps, filters, provider, options.image));

  let ranked = reciprocalRankFusion(lists).slice(0, CANDIDATE_CAP).map((f) => f.id);
  const rerank = reranker(deps.config);
  if (rerank && query !== undefined && ranked.length > 1) ranked = await rerankHead(deps, rerank, query, ranked, log);

  const pageIds = ranked.slice(offset, offset + input.limit);
  const rows = new Map((await assetStore.findByIds(deps.db, filters.libraryId, pageIds)).map((a) => [a.id, a]));
  const inOrder = pageIds.flatMap((id) => (rows.has(id) ? [rows.get(id)!] : []));
  return (await withMetadata(deps.db, inOrder, options.withMetadata)).map((v) => ({ ...v, distance: distances.get(v.asset.id) ?? null }));
}

/** The asset filters of §1.2 that search takes, resolved once, as the asset list resolves them. */
async function searchFilters(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: SearchInput): Promise<AssetFilters> {
  const { library_id, local_datetime_after, local_datetime_before, bbox, center, radius, album_id, person_ids } = input;
  const filterInput: AssetFilterInput = { library_id, local_datetime_after, local_datetime_before, bbox, center, radius, album_id, person_ids };
  return resolveFilters(deps, who, filterInput);
}

/**
 * Full text: all words (stemmed, accents folded); if nothing matches, each word also as a
 * prefix and as the library's words within its typo budget; if still nothing, any word.
 */
async function fullTextStage(deps: Pick<Deps, 'db' | 'dialect'>, filters: AssetFilters, terms: string[]): Promise<string[]> {
  if (terms.length === 0) return [];
  const run = async (q: FullTextQuery) => (await searchStore.fullText(deps.db, deps.dialect, filters, q, CANDIDATE_CAP)).map((h) => h.asset_id);
  const exact = await run({ groups: terms.map((word) => [{ word, prefix: false }]) });
  if (exact.length > 0) return exact;
  const relaxed = await Promise.all(
    terms.map(async (word) => {
      const budget = typoBudget(word);
      const near = budget === 0 ? [] : closeWords(word, await searchStore.termsLike(deps.db, filters.libraryId, word[0], word.length, budget));
      return [{ word, prefix: word.length >= 3 }, ...near.map((w) => ({ word: w, prefix: false }))];
    }),
  );
  const all = await run({ groups: relaxed });
  if (all.length > 0 || relaxed.length === 1) return all;
  return run({ groups: [relaxed.flat()] });
}

async function nearestTo(deps: Pick<Deps, 'db' | 'dialect'>, filters: AssetFilters, provider: EmbeddingProvider, vector: Float32Array) {
  return searchStore.nearest(deps.db, deps.dialect, filters, { model: provider.model, dims: vector.length, vector, k: CANDIDATE_CAP });
}

/**
 * Assets that look like the uploaded picture: its embedding's neighbours; without a provider,
 * byte-identical copies (same SHA-256), at distance 0.
 */
async function imageStage(deps: Pick<Deps, 'db' | 'dialect'>, filters: AssetFilters, provider: EmbeddingProvider | undefined, image: QueryImage) {
  if (!provider) {
    const same = await assetStore.findExisting(deps.db, filters.libraryId, { checksums: [image.sha256] });
    const allowed = new Set(same.map((a) => a.id));
    const passing = allowed.size === 0 ? [] : await assetStore.filtered(deps.db, deps.dialect, filters).select('assets.id').where('assets.id', 'in', [...allowed]).execute();
    return passing.map((r) => ({ asset_id: r.id, distance: 0 }));
  }
  let jpeg: Buffer;
  try {
    const source = await openImage(image.path, mediaTypeOfFileName(image.fileName ?? '')?.mimeType ?? 'image/jpeg');
    jpeg = (await renderRung(source, 'preview')).data;
  } catch (err) {
    if (isUndecodableMedia(err)) throw unprocessable(['body', 'image'], `The image could not be decoded: ${err.message}`, 'value_error');
    throw err;
  }
  try {
    return await nearestTo(deps, filters, provider, await provider.embedImage(jpeg));
  } catch (err) {
    if (err instanceof ProviderError) throw new Unavailable(`The embedding provider failed: ${err.message}`);
    throw err;
  }
}

async function rerankHead(deps: Pick<Deps, 'db'>, rerank: NonNullable<ReturnType<typeof reranker>>, query: string, ranked: string[], log: SearchLog): Promise<string[]> {
  const head = ranked.slice(0, RERANK_HEAD);
  try {
    const documents = new Map((await searchStore.findDocuments(deps.db, head)).map((d) => [d.asset_id, d.document]));
    const order = await rerank.rerank(query, head.map((id) => documents.get(id) ?? ''));
    return [...applyRerank(head, order), ...ranked.slice(RERANK_HEAD)];
  } catch (err) {
    log.warn({ err }, 'reranker failed; keeping the rank fusion order');
    return ranked;
  }
}
