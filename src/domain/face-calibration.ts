import type { ClusterThresholds } from './face-clustering.js';

/**
 * Clustering thresholds for human's FaceRes descriptor (1024-d, mean of the aligned face crop's
 * and its mirror image's, cosine distance), calibrated on the labelled corpus: see
 * docs/face-calibration.md for the distance distributions behind each number. Another
 * embedding needs its own calibration.
 */
export const FACE_THRESHOLDS: ClusterThresholds = {
  assign: 0.33,
  keep: 0.36,
  cohesionP90: 0.42,
  margin: 0.03,
  link: 0.4,
  minGroup: 2,
  candidateWindow: 0.65,
  candidates: 5,
};
