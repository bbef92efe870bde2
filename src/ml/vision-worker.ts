/**
 * Worker thread for the CPU-bound picture analysis of the embedding task: quality metrics and
 * object labels. Labels come from the CenterNet COCO detector that ships inside
 * @vladmandic/human, run by TensorFlow.js on WebAssembly (single-threaded, hence its own thread).
 * Nothing is downloaded: models and wasm binaries are read from node_modules through a `fetch`
 * that serves `file://` URLs. Messages: `VisionRequest` in, `VisionResponse` out (vision.ts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { type ImageMetrics, imageMetrics, isFlat } from '../domain/image-metrics.js';

export interface VisionRequest {
  readonly id: number;
  readonly rgb: ArrayBuffer;
  readonly width: number;
  readonly height: number;
  /** Run the object detector (labels), not only the metrics. */
  readonly labels: boolean;
  readonly minScore: number;
}

export interface DetectedLabel {
  readonly label: string;
  readonly score: number;
}

export type VisionResponse =
  | { readonly id: number; readonly ok: true; readonly metrics: ImageMetrics; readonly labels: DetectedLabel[] | null }
  | { readonly id: number; readonly ok: false; readonly message: string };

export interface VisionReady {
  readonly ready: true;
}

/** The slice of Human's API used here (its d.ts pulls in the whole tfjs type tree). */
interface HumanLike {
  load(): Promise<void>;
  detect(input: unknown): Promise<{ object: { label: string; score: number }[]; error?: string | null }>;
  tf: { tensor(values: Uint8Array, shape: number[], dtype: 'int32'): { dispose(): void } };
}

const require = createRequire(import.meta.url);
let human: Promise<HumanLike> | undefined;

function serveFileUrls(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file://')) return realFetch(input, init);
    const data = await readFile(fileURLToPath(url));
    return new Response(data, { status: 200, headers: { 'content-type': url.endsWith('.json') ? 'application/json' : url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream' } });
  }) as typeof fetch;
}

function loadHuman(): Promise<HumanLike> {
  human ??= (async () => {
    serveFileUrls();
    // The package's exports map hides dist/ and models/: find them from its main entry.
    const humanDir = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
    const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'dist');
    const { Human } = require(path.join(humanDir, 'dist', 'human.node-wasm.js')) as { Human: new (config: object) => HumanLike };
    const instance = new Human({
      backend: 'wasm',
      wasmPath: `${pathToFileURL(wasmDir).href}/`,
      modelBasePath: `${pathToFileURL(path.join(humanDir, 'models')).href}/`,
      debug: false,
      cacheSensitivity: 0,
      filter: { enabled: false },
      face: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
      object: { enabled: true, minConfidence: 0.2, maxDetected: 20, iouThreshold: 0.4 },
    });
    await instance.load();
    return instance;
  })();
  return human;
}

/** Best score per label, best first. */
function distinctLabels(objects: { label: string; score: number }[], minScore: number): DetectedLabel[] {
  const best = new Map<string, number>();
  for (const o of objects) if (o.score >= minScore) best.set(o.label, Math.max(o.score, best.get(o.label) ?? 0));
  return [...best].map(([label, score]) => ({ label, score: Math.round(score * 1000) / 1000 })).sort((a, b) => b.score - a.score);
}

async function handle(request: VisionRequest): Promise<VisionResponse> {
  const rgb = new Uint8Array(request.rgb);
  const metrics = imageMetrics(rgb, request.width, request.height, 3);
  if (!request.labels) return { id: request.id, ok: true, metrics, labels: null };
  if (isFlat(metrics)) return { id: request.id, ok: true, metrics, labels: [] };
  const h = await loadHuman();
  const tensor = h.tf.tensor(rgb, [1, request.height, request.width, 3], 'int32');
  try {
    const result = await h.detect(tensor);
    if (result.error) throw new Error(`object detection failed: ${result.error}`);
    return { id: request.id, ok: true, metrics, labels: distinctLabels(result.object, request.minScore) };
  } finally {
    tensor.dispose();
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (request: VisionRequest) => {
    handle(request).then(
      (response) => port.postMessage(response),
      (err: unknown) => port.postMessage({ id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies VisionResponse),
    );
  });
  port.postMessage({ ready: true } satisfies VisionReady);
}
