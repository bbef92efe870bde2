import { assetStorageCleanup } from './asset-storage-cleanup.js';
import { assetVersionStorageCleanup } from './asset-version-storage-cleanup.js';
import { burstDetection } from './burst-detection.js';
import { displayProxyGeneration } from './display-proxy-generation.js';
import { faceClustering } from './face-clustering.js';
import { faceDetection } from './face-detection.js';
import { assetDescription } from './asset-description.js';
import { embedding } from './embedding.js';
import { reverseGeocoding } from './reverse-geocoding.js';
import { thumbhash } from './thumbhash.js';
import { videoMetadataExtract } from './video-metadata-extract.js';
import { videoThumbnailExtract } from './video-thumbnail-extract.js';
import type { TaskHandler } from './task.js';

/** Every task handler this build can run; each file declares its own payload type. */
export const handlers: TaskHandler<any>[] = [
  reverseGeocoding,
  thumbhash,
  videoMetadataExtract,
  videoThumbnailExtract,
  displayProxyGeneration,
  faceDetection,
  faceClustering,
  burstDetection,
  assetStorageCleanup,
  assetVersionStorageCleanup,
  embedding,
  assetDescription,
];

const seen = new Set<string>();
for (const h of handlers) {
  if (seen.has(h.type)) throw new Error(`two handlers for task type ${h.type}`);
  seen.add(h.type);
}
