import fsp from 'node:fs/promises';
import { analysePicture, type PictureAnalysis } from '../ml/analyse.js';
import { embeddingProvider } from '../ml/embeddings.js';
import { ProviderError } from '../ml/http-client.js';
import type { Config } from '../config.js';
import { ensureRung } from '../services/renditions.js';
import * as searchIndex from '../services/search-index.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as searchStore from '../store/search.js';
import { BACKGROUND_PRIORITY, type NewTask } from '../store/tasks.js';
import { type AssetTaskPayload, assetTask, permanentIfUndecodable } from './asset-task.js';
import { PermanentTaskError, type TaskHandler } from './task.js';

/**
 * The understanding tasks queued once an asset has its preview (from the thumbhash and
 * video_thumbnail_extract handlers), after the tasks that make assets viewable.
 */
export function understandingTasks(config: Pick<Config, 'descriptionUrl'>, asset: Pick<AssetRow, 'id' | 'library_id'>): NewTask[] {
  const tasks = [assetTask('embedding', asset)];
  if (config.descriptionUrl) tasks.push(assetTask('asset_description', asset));
  return tasks.map((t) => ({ ...t, priority: BACKGROUND_PRIORITY }));
}

/** A provider's own refusal (4xx) will not change on a retry; an outage may. */
export function asTaskError(err: unknown): unknown {
  return err instanceof ProviderError && !err.retryable ? new PermanentTaskError(err.message) : err;
}

function summary(analysis: PictureAnalysis | undefined, dims: number | undefined): string {
  const parts: string[] = [];
  if (analysis) {
    parts.push(`metrics: sharpness ${analysis.metrics.sharpness}, exposure ${analysis.metrics.exposure}`);
    if (analysis.labels) parts.push(`labels: ${analysis.labels.map((l) => `${l.label} ${l.score}`).join(', ') || 'none'}`);
    if (analysis.text !== null) parts.push(`text: ${analysis.text ? `${analysis.text.split(' ').length} words` : 'none'}`);
  }
  if (dims !== undefined) parts.push(`embedding: ${dims}-d`);
  return parts.join('; ') || 'up to date';
}

/**
 * `embedding` (§3.19: "asset becomes findable by query"). Reads the preview once and learns what
 * search needs from it: quality metrics, object labels and text (offline, always), and the image
 * embedding (when a provider is configured). Labels and text feed the search document; the
 * task does only what is missing for the asset's current version.
 */
export const embedding: TaskHandler<AssetTaskPayload> = {
  type: 'embedding',
  async run({ deps }, { asset_id }) {
    const [asset] = await assetStore.findByIdsAnyLibrary(deps.db, [asset_id]);
    if (!asset) return 'skipped';
    const provider = embeddingProvider(deps.config);
    const [analysis] = await searchStore.findAnalysis(deps.db, [asset_id]);
    const analysed = analysis?.version_id === asset.current_version_id && asset.metrics !== null;
    const stored = provider ? await searchStore.findEmbedding(deps.db, asset_id) : undefined;
    const embedded = !provider || (stored?.model === provider.model && stored.version_id === asset.current_version_id);
    if (analysed && embedded) return 'skipped';

    const preview = await deps.blobs.localPath(await permanentIfUndecodable(ensureRung(deps, asset, 'preview')));
    const fresh = analysed ? undefined : await analysePicture(preview, { labels: deps.config.labels, ocr: deps.config.ocr });
    let vector: Float32Array | undefined;
    if (!embedded) {
      try {
        vector = await provider!.embedImage(await fsp.readFile(preview));
      } catch (err) {
        throw asTaskError(err);
      }
    }

    const saved = await deps.db.transaction().execute(async (trx) => {
      const [current] = await assetStore.findByIdsAnyLibrary(trx, [asset_id]);
      if (!current || current.current_version_id !== asset.current_version_id) return false;
      const now = deps.clock().toISOString();
      if (fresh) {
        await searchStore.putAnalysis(trx, {
          asset_id,
          version_id: asset.current_version_id,
          labels: JSON.stringify(fresh.labels ?? []),
          ocr_text: fresh.text || null,
          created_at: now,
          updated_at: now,
        });
        await assetStore.update(trx, asset_id, { metrics: JSON.stringify(fresh.metrics), updated_at: now });
        await eventStore.append(trx, deps.dialect, now, [
          { library_id: asset.library_id, entity_type: 'asset', entity_id: asset_id, event_type: 'asset_updated', payload: { stack_id: current.stack_id } },
        ]);
        await searchIndex.refresh(trx, now, [asset_id]);
      }
      if (vector) {
        await searchStore.putEmbedding(trx, deps.dialect, {
          asset_id,
          library_id: asset.library_id,
          model: provider!.model,
          version_id: asset.current_version_id,
          dims: vector.length,
          vector: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
          created_at: now,
        });
      }
      return true;
    });
    if (!saved) return 'skipped';
    return { result: summary(fresh, vector?.length) };
  },
};
