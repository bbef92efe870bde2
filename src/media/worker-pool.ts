import { Worker } from 'node:worker_threads';
import { workerEntry } from './worker-entry.js';

/**
 * A few worker threads running one module (HEIC decoding, face detection, picture analysis),
 * one job per worker at a time. Workers start on first use and say `{ ready: true }` once they
 * can work; they are unref'd while idle, so an idle pool never keeps the process alive, and exit
 * after `idleMs` without work, handing their models and wasm heap back to the OS.
 *
 * Requests carry an `id` the worker echoes in its response; the pool resolves with that response
 * and leaves its meaning (success or the job's own failure) to the caller. Failures that are not
 * a response — the worker cannot start, dies, or the pool closes — reject with `failure(message,
 * ready)`: `ready` tells whether the worker had started, i.e. whether the job itself may be what
 * killed it. A worker that dies before it is ready would die again, so queued jobs fail with it.
 *
 * Requests are copied to the worker, never transferred: detaching any ArrayBuffer on the main
 * thread invalidates a V8 protector that optimised code touching Buffers relies on, so every such
 * function is deoptimised and compiled again (measured: ~750 ms of TurboFan over the next 200
 * uploads, the hot paths interpreted meanwhile). A copy of a picture costs well under a millisecond.
 */
export interface WorkerPoolSpec {
  /** `import.meta.url` of the module beside the worker, and the worker module's base name. */
  readonly fromUrl: string;
  readonly module: string;
  /** Thread name (shows in `top -H` and profiles). */
  readonly threadName: string;
  size: number;
  idleMs: number;
  readonly failure: (message: string, ready: boolean) => Error;
}

interface Job<Req, Res> {
  readonly request: Req;
  readonly resolve: (response: Res) => void;
  readonly reject: (reason: Error) => void;
}

interface Slot<Req, Res> {
  readonly worker: Worker;
  ready: boolean;
  job: Job<Req, Res> | null;
  idleTimer: NodeJS.Timeout | null;
}

export class WorkerPool<Req extends { id: number }, Res extends { id: number }> {
  private readonly slots = new Set<Slot<Req, Res>>();
  private readonly queue: Job<Req, Res>[] = [];
  private nextId = 1;

  constructor(private readonly spec: WorkerPoolSpec) {}

  /** Workers at once and idle lifetime; applies to workers started from now on. */
  configure(options: { size?: number; idleMs?: number }, maxSize: number): void {
    if (options.size !== undefined) {
      if (!Number.isInteger(options.size) || options.size < 1 || options.size > maxSize) throw new TypeError(`size: expected an integer from 1 to ${maxSize}, got ${options.size}`);
      this.spec.size = options.size;
    }
    if (options.idleMs !== undefined) {
      if (!Number.isInteger(options.idleMs) || options.idleMs < 0) throw new TypeError(`idleMs: expected a non-negative integer, got ${options.idleMs}`);
      this.spec.idleMs = options.idleMs;
    }
  }

  /** Queues one job. */
  run(request: Omit<Req, 'id'>): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const job: Job<Req, Res> = { request: { ...request, id: this.nextId++ } as Req, resolve, reject };
      this.queue.push(job);
      try {
        this.pump();
      } catch (err) {
        // The worker could not even be created (e.g. tsx missing when running from sources).
        this.queue.splice(this.queue.indexOf(job), 1);
        reject(this.spec.failure(`Cannot start a ${this.spec.threadName} worker: ${(err as Error).message}`, false));
      }
    });
  }

  /** Terminates every worker (shutdown, tests); queued and running jobs are rejected. */
  async close(): Promise<void> {
    const closed = () => this.spec.failure(`${this.spec.threadName} pool closed`, false);
    for (const job of this.queue.splice(0)) job.reject(closed());
    await Promise.all([...this.slots].map((slot) => this.retire(slot, closed())));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = [...this.slots].find((s) => s.ready && s.job === null);
      if (!slot) {
        const starting = [...this.slots].filter((s) => !s.ready).length;
        if (this.slots.size < this.spec.size && starting < this.queue.length) this.spawn();
        return;
      }
      const job = this.queue.shift()!;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  private spawn(): void {
    const { filename, options } = workerEntry(this.spec.fromUrl, this.spec.module);
    const worker = new Worker(filename, { ...options, name: this.spec.threadName });
    const slot: Slot<Req, Res> = { worker, ready: false, job: null, idleTimer: null };
    this.slots.add(slot);
    worker.on('message', (message: Res | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
      } else {
        const job = slot.job;
        if (!job || job.request.id !== message.id) return;
        slot.job = null;
        job.resolve(message);
      }
      this.idle(slot);
      this.pump();
    });
    worker.on('error', (err) => void this.retire(slot, this.spec.failure(`${this.spec.threadName} worker failed: ${err.message}`, slot.ready)));
    worker.on('exit', (code) => void this.retire(slot, this.spec.failure(`${this.spec.threadName} worker exited with code ${code}`, slot.ready)));
  }

  private idle(slot: Slot<Req, Res>): void {
    if (slot.job) return;
    slot.worker.unref();
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => void this.retire(slot, null), this.spec.idleMs);
    slot.idleTimer.unref();
  }

  private async retire(slot: Slot<Req, Res>, reason: Error | null): Promise<void> {
    if (!this.slots.delete(slot)) return;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const job = slot.job;
    slot.job = null;
    if (job) job.reject(reason ?? this.spec.failure(`${this.spec.threadName} worker stopped`, false));
    if (!slot.ready && reason) for (const queued of this.queue.splice(0)) queued.reject(reason);
    await slot.worker.terminate();
    this.pump();
  }
}

/** The ArrayBuffer holding exactly `bytes` (sliced out of a larger one), so a request copies only them. */
export function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  return own.buffer as ArrayBuffer;
}
