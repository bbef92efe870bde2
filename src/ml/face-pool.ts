/**
 * Worker threads for face detection (face-worker.ts), in the manner of media/heic-pool.ts:
 * started on first use, unref'd while idle (an idle pool never keeps the process alive),
 * retired after `idleMs` without work so their ~300 MB of models and wasm heap go back to the OS.
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../media/worker-entry.js';
import type { EngineOptions, EngineResult } from './face-engine.js';
import type { FaceReady, FaceRequest, FaceResponse } from './face-worker.js';

export class FaceWorkerError extends Error {
  override readonly name = 'FaceWorkerError';
}

interface Job {
  readonly request: FaceRequest;
  readonly resolve: (value: EngineResult) => void;
  readonly reject: (reason: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  job: Job | null;
  idleTimer: NodeJS.Timeout | null;
}

const config = { size: 1, idleMs: 60_000 };
const slots = new Set<Slot>();
const queue: Job[] = [];
let nextId = 1;

/** Workers at once (each holds its own copy of the models) and idle lifetime. */
export function configureFacePool(options: { size?: number; idleMs?: number }): void {
  if (options.size !== undefined) {
    if (!Number.isInteger(options.size) || options.size < 1 || options.size > 16) throw new TypeError(`size: expected an integer from 1 to 16, got ${options.size}`);
    config.size = options.size;
  }
  if (options.idleMs !== undefined) {
    if (!Number.isInteger(options.idleMs) || options.idleMs < 0) throw new TypeError(`idleMs: expected a non-negative integer, got ${options.idleMs}`);
    config.idleMs = options.idleMs;
  }
}

/** Faces in an RGB picture (3 bytes per pixel, row-major); the buffer is transferred, not copied. */
export function analyseInWorker(pixels: Uint8Array, width: number, height: number, options?: Partial<EngineOptions>): Promise<EngineResult> {
  if (pixels.length !== width * height * 3) {
    return Promise.reject(new TypeError(`pixels: expected ${width}x${height}x3 = ${width * height * 3} bytes of RGB, got ${pixels.length}`));
  }
  const own = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength ? pixels : pixels.slice();
  return new Promise<EngineResult>((resolve, reject) => {
    queue.push({ request: { id: nextId++, pixels: own.buffer as ArrayBuffer, width, height, options }, resolve, reject });
    try {
      pump();
    } catch (err) {
      const job = queue.pop();
      job?.reject(new FaceWorkerError(`Cannot start a face worker: ${(err as Error).message}`));
    }
  });
}

export async function closeFacePool(): Promise<void> {
  for (const job of queue.splice(0)) job.reject(new FaceWorkerError('face pool closed'));
  await Promise.all([...slots].map((slot) => retire(slot, new FaceWorkerError('face pool closed'))));
}

function pump(): void {
  while (queue.length > 0) {
    let slot = [...slots].find((s) => s.ready && s.job === null);
    if (!slot) {
      if (slots.size < config.size) spawn();
      return;
    }
    const job = queue.shift()!;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage(job.request, [job.request.pixels]);
  }
}

function spawn(): void {
  const { filename, options } = workerEntry(import.meta.url, 'face-worker');
  const worker = new Worker(filename, { ...options, name: 'eucalypt-faces' });
  const slot: Slot = { worker, ready: false, job: null, idleTimer: null };
  slots.add(slot);
  worker.on('message', (message: FaceResponse | FaceReady) => {
    if ('ready' in message) {
      slot.ready = true;
      idle(slot);
      pump();
      return;
    }
    const job = slot.job;
    if (!job || job.request.id !== message.id) return;
    slot.job = null;
    if (message.ok) job.resolve(message.result);
    else job.reject(new FaceWorkerError(message.message));
    idle(slot);
    pump();
  });
  worker.on('error', (err) => void retire(slot, new FaceWorkerError(`face worker failed: ${err.message}`)));
  worker.on('exit', (code) => void retire(slot, new FaceWorkerError(`face worker exited with code ${code}`)));
}

function idle(slot: Slot): void {
  if (slot.job) return;
  slot.worker.unref();
  if (slot.idleTimer) clearTimeout(slot.idleTimer);
  slot.idleTimer = setTimeout(() => void retire(slot, null), config.idleMs);
  slot.idleTimer.unref();
}

async function retire(slot: Slot, reason: Error | null): Promise<void> {
  if (!slots.delete(slot)) return;
  if (slot.idleTimer) clearTimeout(slot.idleTimer);
  const job = slot.job;
  slot.job = null;
  if (job) job.reject(reason ?? new FaceWorkerError('face worker stopped'));
  // A worker that died before it was ready (a broken install) would die again: fail the queue.
  if (!slot.ready && reason) for (const queued of queue.splice(0)) queued.reject(reason);
  await slot.worker.terminate();
  pump();
}

