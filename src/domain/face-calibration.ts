import type { ClusterThresholds } from './face-clustering.js';

/**
 * Clustering thresholds for human's FaceRes descriptor (1024-d, mirrored-window average,
 * cosine distance), calibrated on the labelled corpus: see docs/face-calibration.md for the
 * distance distributions behind each number. Another embedding needs its own calibration.
 */
export const FACE_THRESHOLDS: ClusterThresholds = {
  assign: 0.33,
  keep: 0.36,
  cohesionP90: 0.43,
  margin: 0.03,
  link: 0.4,
  minGroup: 2,
  candidateWindow: 0.65,
  candidates: 5,
};
