/**
 * HEIC decoding in worker threads (heic-worker.ts): a pool of at most two, each worker's wasm
 * heap (~160 MB after a 24 MP image) returned to the OS after `idleMs` without work.
 */
import { availableParallelism } from 'node:os';
import { invalidParameterError, isPlainObject } from './is.js';
import { WorkerPool } from './worker-pool.js';
import type { HeicRequest, HeicResponse } from './heic-worker.js';

export interface HeicPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly pixels: Buffer;
  /** ICC profile of the pixels, or null when they are sRGB. */
  readonly icc: Buffer | null;
}

export interface HeicPoolOptions {
  /** Maximum concurrent decodes (default: one fewer than the CPU count, at least 1, at most 2). */
  size?: number;
  /** Idle milliseconds before a worker exits (default 30 000). */
  idleMs?: number;
}

/** Raised for a worker failure that is not about the file (e.g. the worker could not start). */
export class HeicWorkerError extends Error {
  override readonly name = 'HeicWorkerError';
  constructor(
    message: string,
    /** True when the file itself could not be decoded (corrupt, unsupported, over the limit). */
    readonly undecodable: boolean,
  ) {
    super(message);
  }
}

const pool = new WorkerPool<HeicRequest, HeicResponse>({
  fromUrl: import.meta.url,
  module: 'heic-worker',
  threadName: 'eucalypt-heic',
  size: Math.max(1, Math.min(2, availableParallelism() - 1)),
  idleMs: 30_000,
  // A worker that dies mid-job (wasm trap, out of memory) takes that file down with it; one
  // that never started (a broken install) says nothing about the file.
  failure: (message, ready) => new HeicWorkerError(message, ready),
});

export function configureHeicPool(options: HeicPoolOptions): void {
  if (!isPlainObject(options)) throw invalidParameterError('options', 'a plain object', options);
  pool.configure(options, 64);
}

/** Decode the primary image of a HEIF file to interleaved 8-bit RGB(A), upright. */
export async function decodeHeicInWorker(path: string, limitInputPixels: number): Promise<HeicPixels> {
  const response = await pool.run({ path, limitInputPixels });
  if (!response.ok) throw new HeicWorkerError(response.message, response.undecodable);
  return { width: response.width, height: response.height, channels: response.channels, pixels: Buffer.from(response.pixels), icc: response.icc && Buffer.from(response.icc) };
}

/** Terminate every worker (for shutdown and tests); queued jobs are rejected. */
export function closeHeicPool(): Promise<void> {
  return pool.close();
}
