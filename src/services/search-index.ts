/**
 * The `search_index` step: rebuilds the search documents of some assets from what is known now.
 * It runs inside the transaction of every change to one of its inputs (upload, PATCH, reverse
 * geocoding, video metadata, the embedding task's labels and OCR, the AI description), so the
 * index commits with the change. People and albums refresh the documents they name from their
 * own transactions: a person's name or visibility, a face's person, an album's name or members.
 * Documents are written after the transaction's events (the lock order of store/assets.ts), so
 * a refresh never holds document rows while it waits for the event stream.
 */
import { effectiveValues } from '../domain/asset-metadata.js';
import { displayLabel } from '../domain/display-label.js';
import { buildSearchDocument, type SearchDocumentInput } from '../domain/search-document.js';
import { vocabularyOf } from '../domain/search-text.js';
import { assetTask } from '../jobs/asset-task.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow, MetadataRow } from '../store/assets.js';
import type { AnalysisRow } from '../store/search.js';
import * as searchStore from '../store/search.js';
import type { Executor } from '../store/schema.js';
import * as taskStore from '../store/tasks.js';
import type { Deps } from './deps.js';

/** Object labels as stored by the embedding task. */
export interface StoredLabel {
  label: string;
  score: number;
}

export function parseLabels(json: string | null | undefined): StoredLabel[] {
  if (!json) return [];
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((l): l is StoredLabel => typeof l?.label === 'string' && typeof l?.score === 'number') : [];
  } catch {
    return [];
  }
}

/** Names from other entities that an asset's document carries. */
export interface AssetNames {
  people?: readonly string[];
  albums?: readonly string[];
}

/** Everything the document builder takes, from the rows at hand. */
export function documentInput(asset: AssetRow, metadata: MetadataRow | undefined, analysis: AnalysisRow | undefined, names: AssetNames = {}): SearchDocumentInput {
  const effective = metadata ? effectiveValues(metadata, metadata) : undefined;
  return {
    fileName: asset.original_file_name,
    description: effective?.description,
    aiDescription: asset.description,
    make: metadata?.make,
    model: metadata?.model,
    lensModel: metadata?.lens_model,
    city: metadata?.city,
    state: metadata?.state,
    country: metadata?.country,
    countryCode: metadata?.country_code,
    sublocation: metadata?.sublocation,
    placeName: metadata?.place_name,
    displayLabel: metadata ? displayLabel(metadata) : null,
    localWall: asset.local_wall,
    mediaType: asset.media_type,
    labels: parseLabels(analysis?.labels).map((l) => l.label),
    ocrText: analysis?.ocr_text,
    people: names.people,
    albums: names.albums,
  };
}

/**
 * Rebuilds the documents of `assetIds` (missing ids are ignored) in the caller's transaction.
 * Rows are written in id order and words in sorted order, so concurrent refreshes of
 * overlapping assets (two album additions) wait for each other on PostgreSQL, never deadlock.
 */
export async function refresh(trx: Executor, now: string, assetIds: string[]): Promise<void> {
  const ids = [...new Set(assetIds)].sort();
  if (ids.length === 0) return;
  const assets = (await assetStore.findByIdsAnyLibrary(trx, ids)).sort((a, b) => (a.id < b.id ? -1 : 1));
  const metadata = new Map((await assetStore.findMetadata(trx, ids)).map((m) => [m.asset_id, m]));
  const analysis = new Map((await searchStore.findAnalysis(trx, ids)).map((a) => [a.asset_id, a]));
  const names = await searchStore.namesOnAssets(trx, ids);
  const words = new Map<string, Set<string>>();
  for (const asset of assets) {
    const document = buildSearchDocument(documentInput(asset, metadata.get(asset.id), analysis.get(asset.id), { people: names.people.get(asset.id), albums: names.albums.get(asset.id) }));
    await searchStore.putDocument(trx, { asset_id: asset.id, library_id: asset.library_id, document, updated_at: now });
    const library = words.get(asset.library_id) ?? words.set(asset.library_id, new Set()).get(asset.library_id)!;
    for (const word of vocabularyOf(document)) library.add(word);
  }
  for (const [libraryId, set] of words) await searchStore.addTerms(trx, libraryId, [...set].sort());
}

/** After a person's name or visibility changed: the documents of the assets showing them. */
export async function refreshPeople(trx: Executor, now: string, personIds: string[]): Promise<void> {
  await refresh(trx, now, await searchStore.assetsOfPeople(trx, personIds));
}

/** After an album's name changed: the documents of its members. */
export async function refreshAlbums(trx: Executor, now: string, albumIds: string[]): Promise<void> {
  await refresh(trx, now, await searchStore.assetsOfAlbums(trx, albumIds));
}

/** Indexes a new asset from the rows its upload is inserting (nothing to read back). */
export async function indexNew(trx: Executor, now: string, asset: AssetRow, metadata: MetadataRow): Promise<void> {
  const document = buildSearchDocument(documentInput(asset, metadata, undefined));
  await searchStore.putDocument(trx, { asset_id: asset.id, library_id: asset.library_id, document, updated_at: now });
  await searchStore.addTerms(trx, asset.library_id, vocabularyOf(document).sort());
}

/**
 * Start-up catch-up for assets that predate search (or a newly configured embedding provider):
 * indexes documents that are missing and queues the embedding task where its results are.
 */
export async function backfill(deps: Pick<Deps, 'db' | 'clock'>, embeddingModel: string | undefined): Promise<{ indexed: number; queued: number }> {
  let indexed = 0;
  let queued = 0;
  for (;;) {
    const ids = await searchStore.idsWithoutDocument(deps.db, 500);
    if (ids.length === 0) break;
    await deps.db.transaction().execute((trx) => refresh(trx, deps.clock().toISOString(), ids));
    indexed += ids.length;
  }
  for (;;) {
    const assets = await searchStore.idsNeedingUnderstanding(deps.db, embeddingModel, 500);
    if (assets.length === 0) break;
    await deps.db.transaction().execute((trx) => taskStore.enqueue(trx, deps.clock().toISOString(), assets.map((a) => ({ ...assetTask('embedding', a), priority: taskStore.BACKGROUND_PRIORITY }))));
    queued += assets.length;
    if (assets.length < 500) break;
  }
  return { indexed, queued };
}
