/**
 * Face detection in worker threads (face-worker.ts); each worker holds its own copy of the
 * models (~300 MB with the wasm heap), returned to the OS after `idleMs` without work.
 */
import { exactBuffer, WorkerPool } from '../media/worker-pool.js';
import type { EngineOptions, EngineResult } from './face-engine.js';
import type { FaceRequest, FaceResponse } from './face-worker.js';

export class FaceWorkerError extends Error {
  override readonly name = 'FaceWorkerError';
}

const pool = new WorkerPool<FaceRequest, FaceResponse>({
  fromUrl: import.meta.url,
  module: 'face-worker',
  threadName: 'eucalypt-faces',
  size: 1,
  idleMs: 60_000,
  failure: (message) => new FaceWorkerError(message),
});

/** Workers at once (each holds its own copy of the models) and idle lifetime. */
export function configureFacePool(options: { size?: number; idleMs?: number }): void {
  pool.configure(options, 16);
}

/** Faces in an RGB picture (3 bytes per pixel, row-major); the worker gets a copy. */
export async function analyseInWorker(pixels: Uint8Array, width: number, height: number, options?: Partial<EngineOptions>): Promise<EngineResult> {
  if (pixels.length !== width * height * 3) {
    throw new TypeError(`pixels: expected ${width}x${height}x3 = ${width * height * 3} bytes of RGB, got ${pixels.length}`);
  }
  const response = await pool.run({ pixels: exactBuffer(pixels), width, height, options });
  if (!response.ok) throw new FaceWorkerError(response.message);
  return response.result;
}

export function closeFacePool(): Promise<void> {
  return pool.close();
}
