/**
 * One vision worker thread (vision-worker.ts) shared by every embedding task of the process: it
 * takes one picture at a time (the wasm detector is single-threaded) and exits after a minute
 * without work, returning its ~250 MB.
 */
import { exactBuffer, WorkerPool } from '../media/worker-pool.js';
import type { DetectedLabel, VisionRequest, VisionResponse } from './vision-worker.js';
import type { ImageMetrics } from '../domain/image-metrics.js';

export type { DetectedLabel } from './vision-worker.js';

const pool = new WorkerPool<VisionRequest, VisionResponse>({
  fromUrl: import.meta.url,
  module: 'vision-worker',
  threadName: 'eucalypt-vision',
  size: 1,
  idleMs: 60_000,
  failure: (message) => new Error(message),
});

/** Quality metrics and (with `labels`) COCO object labels of an upright 8-bit RGB picture. */
export async function analysePixels(rgb: Uint8Array, width: number, height: number, options: { labels: boolean; minScore: number }): Promise<{ metrics: ImageMetrics; labels: DetectedLabel[] | null }> {
  const response = await pool.run({ rgb: exactBuffer(rgb), width, height, labels: options.labels, minScore: options.minScore });
  if (!response.ok) throw new Error(response.message);
  return { metrics: response.metrics, labels: response.labels };
}

export function closeVision(): Promise<void> {
  return pool.close();
}
