/**
 * A tiny pool of HEIC decoding workers (heic-worker.ts). Workers start on first use, are
 * unref'd while idle (an idle pool never keeps the process alive) and exit after `idleMs`
 * without work, handing their wasm heap (~160 MB after a 24 MP image) back to the OS.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerEntry } from './worker-entry.js';
import { invalidParameterError, isInteger, isPlainObject } from './is.js';
import type { HeicReady, HeicRequest, HeicResponse } from './heic-worker.js';

export interface HeicPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly pixels: Buffer;
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

interface Job {
  readonly request: HeicRequest;
  readonly resolve: (value: HeicPixels) => void;
  readonly reject: (reason: HeicWorkerError) => void;
}

interface Slot {
  readonly worker: Worker;
  online: boolean;
  job: Job | null;
  idleTimer: NodeJS.Timeout | null;
}

const config = {
  size: Math.max(1, Math.min(2, availableParallelism() - 1)),
  idleMs: 30_000,
};
const slots = new Set<Slot>();
const queue: Job[] = [];
let nextId = 1;

export function configureHeicPool(options: HeicPoolOptions): void {
  if (!isPlainObject(options)) throw invalidParameterError('options', 'a plain object', options);
  if (options.size !== undefined) {
    if (!isInteger(options.size) || options.size < 1 || options.size > 64) {
      throw invalidParameterError('size', 'an integer between 1 and 64', options.size);
    }
    config.size = options.size;
  }
  if (options.idleMs !== undefined) {
    if (!isInteger(options.idleMs) || options.idleMs < 0) {
      throw invalidParameterError('idleMs', 'a non-negative integer', options.idleMs);
    }
    config.idleMs = options.idleMs;
  }
}

/** Decode the primary image of a HEIF file to interleaved 8-bit RGB(A), upright. */
export function decodeHeicInWorker(path: string, limitInputPixels: number): Promise<HeicPixels> {
  return new Promise<HeicPixels>((resolve, reject) => {
    const job: Job = { request: { id: nextId++, path, limitInputPixels }, resolve, reject };
    queue.push(job);
    try {
      pump();
    } catch (err) {
      // The worker could not even be created (e.g. tsx missing when running from sources).
      const at = queue.indexOf(job);
      if (at >= 0) queue.splice(at, 1);
      reject(new HeicWorkerError(`Cannot start a HEIC worker: ${(err as Error).message}`, false));
    }
  });
}

/** Terminate every worker (for shutdown and tests); queued jobs are rejected. */
export async function closeHeicPool(): Promise<void> {
  for (const job of queue.splice(0)) job.reject(new HeicWorkerError('HEIC pool closed', false));
  await Promise.all([...slots].map((slot) => retire(slot, new HeicWorkerError('HEIC pool closed', false))));
}

function pump(): void {
  while (queue.length > 0) {
    let slot = [...slots].find((s) => s.job === null);
    if (!slot) {
      if (slots.size >= config.size) return;
      slot = spawn();
    }
    const job = queue.shift()!;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage(job.request);
  }
}

function spawn(): Slot {
  const { filename, options } = workerEntry(import.meta.url, 'heic-worker');
  const worker = new Worker(filename, { ...options, name: 'eucalypt-heic' });
  const slot: Slot = { worker, online: false, job: null, idleTimer: null };
  slots.add(slot);
  worker.on('message', (response: HeicResponse | HeicReady) => {
    if ('ready' in response) {
      slot.online = true;
      return;
    }
    const job = slot.job;
    if (!job || job.request.id !== response.id) return;
    slot.job = null;
    if (response.ok) {
      job.resolve({
        width: response.width,
        height: response.height,
        channels: response.channels,
        pixels: Buffer.from(response.pixels),
      });
    } else {
      job.reject(new HeicWorkerError(response.message, response.undecodable));
    }
    idle(slot);
    pump();
  });
  // A worker that dies mid-job (wasm trap, out of memory) takes that file down with it; one
  // that never started (a broken install) says nothing about the file.
  worker.on('error', (err) => void retire(slot, new HeicWorkerError(`HEIC worker failed: ${err.message}`, slot.online)));
  worker.on('exit', (code) => void retire(slot, new HeicWorkerError(`HEIC worker exited with code ${code}`, slot.online)));
  return slot;
}

function idle(slot: Slot): void {
  slot.worker.unref();
  slot.idleTimer = setTimeout(() => void retire(slot, null), config.idleMs);
  slot.idleTimer.unref();
}

async function retire(slot: Slot, reason: HeicWorkerError | null): Promise<void> {
  if (!slots.delete(slot)) return;
  if (slot.idleTimer) clearTimeout(slot.idleTimer);
  const job = slot.job;
  slot.job = null;
  if (job) job.reject(reason ?? new HeicWorkerError('HEIC worker stopped', false));
  await slot.worker.terminate();
  pump();
}

