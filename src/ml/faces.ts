/**
 * The face adapter the jobs use: a picture file (the asset's `preview` rendition, ≤ 1440 px) in,
 * faces in that picture's pixels out. Decoding is sharp's; detection and embeddings run in
 * the worker pool (face-pool.ts).
 */
import sharp, { type OutputInfo } from 'sharp';
import type { Box } from '../domain/face-geometry.js';
import { captureStack, undecodable } from '../media/errors.js';
import type { EngineOptions } from './face-engine.js';
import { analyseInWorker } from './face-pool.js';

export interface DetectedFace {
  box: Box;
  /** 0–1. */
  confidence: number;
  embedding: Float32Array;
}

export interface Detection {
  width: number;
  height: number;
  faces: DetectedFace[];
  ms: { decode: number; scan: number; verify: number };
}

/** Longest edge the detector works on (the preview rung's). */
export const DETECTION_EDGE = 1440;

export async function detectFaces(file: string, options?: Partial<EngineOptions>): Promise<Detection> {
  const captured = captureStack();
  const t0 = performance.now();
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(file, { failOn: 'error' })
      .rotate()
      .resize(DETECTION_EDGE, DETECTION_EDGE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .flatten({ background: '#000000' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw undecodable(captured, 'Cannot decode the picture for face detection', file, err);
  }
  const { data, info } = decoded;
  const decodeMs = performance.now() - t0;
  const result = await analyseInWorker(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, options);
  return {
    width: info.width,
    height: info.height,
    faces: result.faces.map((f) => ({ box: f.box, confidence: Math.min(1, Math.max(0, f.score)), embedding: Float32Array.from(f.embedding) })),
    ms: { decode: Math.round(decodeMs), ...result.ms },
  };
}
