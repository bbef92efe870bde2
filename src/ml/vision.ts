/**
 * One vision worker thread (vision-worker.ts) shared by every embedding task of the process: it
 * starts on first use, takes one picture at a time (the wasm detector is single-threaded), is
 * unref'd while idle and exits after `IDLE_MS` without work, returning its ~250 MB.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DetectedLabel, VisionReady, VisionRequest, VisionResponse } from './vision-worker.js';
import type { ImageMetrics } from '../domain/image-metrics.js';

export type { DetectedLabel } from './vision-worker.js';

const IDLE_MS = 60_000;

interface Job {
  request: VisionRequest;
  resolve(value: { metrics: ImageMetrics; labels: DetectedLabel[] | null }): void;
  reject(reason: Error): void;
}

let worker: Worker | undefined;
let current: Job | undefined;
let idleTimer: NodeJS.Timeout | undefined;
const queue: Job[] = [];
let nextId = 1;

/** Quality metrics and (with `labels`) COCO object labels of an upright 8-bit RGB picture. */
export function analysePixels(rgb: Uint8Array, width: number, height: number, options: { labels: boolean; minScore: number }): Promise<{ metrics: ImageMetrics; labels: DetectedLabel[] | null }> {
  return new Promise((resolve, reject) => {
    const copy = new Uint8Array(rgb);
    queue.push({ request: { id: nextId++, rgb: copy.buffer, width, height, labels: options.labels, minScore: options.minScore }, resolve, reject });
    try {
      pump();
    } catch (err) {
      queue.pop();
      reject(new Error(`Cannot start the vision worker: ${(err as Error).message}`));
    }
  });
}

export async function closeVision(): Promise<void> {
  for (const job of queue.splice(0)) job.reject(new Error('vision worker closed'));
  if (worker) await retire(worker, new Error('vision worker closed'));
}

function pump(): void {
  if (current || queue.length === 0) return;
  worker ??= spawn();
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  current = queue.shift()!;
  worker.ref();
  worker.postMessage(current.request, [current.request.rgb]);
}

function spawn(): Worker {
  const { filename, options } = workerEntry();
  const w = new Worker(filename, { ...options, name: 'eucalypt-vision' });
  w.on('message', (response: VisionResponse | VisionReady) => {
    if ('ready' in response) return;
    const job = current;
    if (!job || job.request.id !== response.id) return;
    current = undefined;
    if (response.ok) job.resolve({ metrics: response.metrics, labels: response.labels });
    else job.reject(new Error(response.message));
    if (queue.length === 0) {
      w.unref();
      idleTimer = setTimeout(() => void retire(w, null), IDLE_MS);
      idleTimer.unref();
    }
    pump();
  });
  w.on('error', (err) => void retire(w, new Error(`vision worker failed: ${err.message}`)));
  w.on('exit', (code) => void retire(w, new Error(`vision worker exited with code ${code}`)));
  return w;
}

/** Stops `w` if it is still the current worker; its running job fails with `reason`. */
async function retire(w: Worker, reason: Error | null): Promise<void> {
  if (worker !== w) return;
  worker = undefined;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const job = current;
  current = undefined;
  if (job) job.reject(reason ?? new Error('vision worker stopped'));
  await w.terminate();
  pump();
}

/** The compiled worker from dist/; from TypeScript sources (vitest, tsx) via tsx's loader. */
function workerEntry(): { filename: string | URL; options: { eval?: boolean } } {
  const compiled = new URL('./vision-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return { filename: compiled, options: {} };
  const source = new URL('./vision-worker.ts', import.meta.url).href;
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(tsxPackage)).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return { filename: bootstrap, options: { eval: true } };
}
