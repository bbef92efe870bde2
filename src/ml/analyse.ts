/**
 * What the embedding task learns from an asset's preview rendition (upright JPEG, ≤ 1440 px):
 * quality metrics and object labels from a 640-px RGB copy (vision worker thread), then text
 * from a 1024-px greyscale copy (tesseract's worker thread) unless the picture is flat. The
 * resizes run in libvips's thread pool, so nothing here blocks the event loop.
 */
import sharp from 'sharp';
import { type ImageMetrics, isFlat, METRICS_LONG_EDGE } from '../domain/image-metrics.js';
import { OCR_LONG_EDGE, readText } from './ocr.js';
import { analysePixels, type DetectedLabel } from './vision.js';

/** Labels below this detector score are not kept (0.3 let through a "tie" on a collar, a bottle on a shelf). */
export const LABEL_MIN_SCORE = 0.35;
/** Below this long edge a picture is too small to hold legible text. */
const OCR_MIN_EDGE = 200;

export interface PictureAnalysis {
  metrics: ImageMetrics;
  /** null when labels are off. */
  labels: DetectedLabel[] | null;
  /** null when OCR is off or the picture is too small. */
  text: string | null;
}

export async function analysePicture(previewPath: string, options: { labels: boolean; ocr: boolean }): Promise<PictureAnalysis> {
  const image = sharp(previewPath, { failOn: 'truncated' });
  const small = image
    .clone()
    .resize(METRICS_LONG_EDGE, METRICS_LONG_EDGE, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width = 0, height = 0 } = await image.metadata();
  const { data, info } = await small;
  // Metrics first (milliseconds): a flat picture skips the detector and OCR.
  const vision = await analysePixels(data, info.width, info.height, { labels: options.labels, minScore: LABEL_MIN_SCORE });
  const ocr = options.ocr && Math.max(width, height) >= OCR_MIN_EDGE && !isFlat(vision.metrics);
  const text = ocr ? await readText(await image.clone().resize(OCR_LONG_EDGE, OCR_LONG_EDGE, { fit: 'inside', withoutEnlargement: true }).greyscale().png({ compressionLevel: 1 }).toBuffer()) : null;
  return { metrics: vision.metrics, labels: vision.labels, text };
}
