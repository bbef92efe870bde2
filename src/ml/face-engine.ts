/**
 * Face detection and embeddings with @vladmandic/human on the tfjs WebAssembly backend.
 * Runs inside a worker thread (face-worker.ts): the wasm backend is single-threaded and a
 * detection takes ~100–250 ms of CPU.
 *
 * Two stages, both on tensors of the picture handed in (RGB, ≤ 1440 px):
 * 1. Candidates: BlazeFace alone on the whole picture (squared), resized to the detector's
 *    256-px input; then, unless stage 2 found the photo's subject among those
 *    (`ScanPlan.tilesBelow`), on overlapping tiles for faces too small for the whole view.
 * 2. Verification and embedding: for every candidate, a square window around it (padded where
 *    it leaves the picture) at 256 px goes through BlazeFace and FaceMesh (alignment and a
 *    face/no-face score). A face is kept when both the detector and the mesh agree; its box
 *    comes from the mesh's extent, its descriptor from FaceRes on the aligned crop and its
 *    mirror image (`describe`).
 * Working on a face-centred, padded window gives every face the same scale and context,
 * which made descriptors of one person agree far better than crops clipped at the edges.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Box,
  center,
  fromWindow,
  overlapOfSmaller,
  type ScanPlan,
  tiles,
  suppress,
  type Window,
  wholeView,
  windowAround,
} from '../domain/face-geometry.js';
import { type FusableModel, fuseClippedReluInPlace } from './relu6.js';

export interface EngineOptions {
  /** Window scan (stage 1); `tileFraction: 1` scans the whole picture only. */
  scan: ScanPlan;
  /** Stage-1 detector threshold (low: stage 2 decides). */
  candidateScore: number;
  /** Stage-2 floor on the detector score in the face-centred window. */
  minScore: number;
  /** Stage-2 floor on the mesh's face score. */
  minMeshScore: number;
  /** Window around a candidate, as a multiple of its box (the padding of stage 2). */
  context: number;
  /** Faces narrower than this (picture pixels) are dropped as crowd/background faces. */
  minFaceSize: number;
  maxFaces: number;
  /** Also describe the mirrored face crop and average the two descriptors (steadier identities). */
  flip: boolean;
  /** `plain`: one pass of human over the whole picture, no tiles, second stage or mirror (the bench's baseline). */
  mode: 'two-stage' | 'plain';
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  scan: { tileFraction: 2 / 3, minTileSide: 400, tilesBelow: 1 / 8 },
  candidateScore: 0.3,
  minScore: 0.5,
  minMeshScore: 0.8,
  context: 2.2,
  minFaceSize: 16,
  maxFaces: 40,
  flip: true,
  mode: 'two-stage',
};

export interface EngineFace {
  /** In pixels of the picture handed in. */
  box: Box;
  /** Detector score in the face-centred window, 0–1. */
  score: number;
  meshScore: number;
  /** FaceRes descriptor (unit length). */
  embedding: number[];
}

export interface EngineResult {
  faces: EngineFace[];
  candidates: number;
  ms: { scan: number; verify: number };
}

/* The slice of human's and tfjs' API this file uses (human's bundled typings pull in tfjs internals). */
interface TensorLike {
  readonly shape: number[];
  dispose(): void;
  dataSync(): Float32Array | Int32Array | Uint8Array;
}
interface Tf {
  tensor4d(values: Float32Array, shape: [number, number, number, number], dtype: 'float32'): TensorLike;
  tensor2d(values: number[][]): TensorLike;
  tensor1d(values: number[], dtype: 'int32'): TensorLike;
  expandDims(t: TensorLike, axis: number): TensorLike;
  concat(ts: TensorLike[], axis: number): TensorLike;
  mul(a: TensorLike, b: number): TensorLike;
  tidy<T extends TensorLike>(f: () => T): T;
  dispose(ts: TensorLike | TensorLike[]): void;
  image: {
    cropAndResize(image: TensorLike, boxes: TensorLike, boxInd: TensorLike, size: [number, number], method?: string, extrapolation?: number): TensorLike;
    resizeBilinear(image: TensorLike, size: [number, number]): TensorLike;
    flipLeftRight(image: TensorLike): TensorLike;
  };
  getBackend(): string;
  memory(): { numTensors: number };
}
interface GraphModel extends FusableModel {
  readonly inputs: { shape?: number[] }[];
  execute(input: TensorLike): TensorLike | TensorLike[];
}
interface HumanFace {
  box: [number, number, number, number];
  boxScore: number;
  faceScore: number;
  score: number;
  mesh: [number, number, number?][];
  embedding?: number[];
  /** The aligned face crop FaceRes would see (0–1), when the detector's `return` is on. */
  tensor?: TensorLike;
}
interface Human {
  tf: Tf;
  models: { models: Record<string, GraphModel | null> };
  load(): Promise<void>;
  warmup?(): Promise<unknown>;
  detect(input: TensorLike, config?: object): Promise<{ face: HumanFace[]; error?: string | null }>;
}

const INPUT = 256;

const require = createRequire(import.meta.url);

/** human's exports map hides its wasm build; load it by file path beside the main entry. */
function humanPaths() {
  const main = require.resolve('@vladmandic/human');
  const dist = path.dirname(main);
  return {
    module: path.join(dist, 'human.node-wasm.js'),
    models: path.join(dist, '..', 'models') + path.sep,
    wasm: path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep,
  };
}

/** tfjs loads models with `fetch`; Node's cannot read file:// URLs, so this worker's can. */
function installFileFetch(): void {
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file://')) return new Response(await readFile(fileURLToPath(url)));
    return original(input, init);
  }) as typeof fetch;
}

const off = { enabled: false };
/** Everything but faces off; no frame-to-frame caching (every call is a new photo). */
function baseConfig(paths: ReturnType<typeof humanPaths>) {
  return {
    backend: 'wasm',
    wasmPath: paths.wasm,
    modelBasePath: `file://${paths.models}`,
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: off,
    gesture: off,
    body: off,
    hand: off,
    object: off,
    segmentation: off,
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: 20, minConfidence: 0.2, iouThreshold: 0.3, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true },
      iris: off,
      attention: off,
      emotion: off,
      antispoof: off,
      liveness: off,
      description: { enabled: true, skipFrames: 0, skipTime: 0, minConfidence: 0 },
    },
  };
}

/* human merges every call's config into its own, so each of these sets every switch the others touch. */
const scanConfig = (score: number) => ({
  face: { detector: { rotation: false, minConfidence: score, maxDetected: 20, return: false }, mesh: off, description: off },
});
/**
 * Detector and mesh only, returning the aligned crops: FaceRes runs once, on the face the window
 * is about (`describe`). Boxes under the stage-2 floor are dropped before the mesh runs on them.
 */
const verifyConfig = (minScore: number) => ({
  face: { detector: { rotation: true, minConfidence: minScore, maxDetected: 5, return: true }, mesh: { enabled: true }, description: off },
});
const plainConfig = (options: EngineOptions) => ({
  face: { detector: { rotation: true, minConfidence: options.minScore, maxDetected: options.maxFaces, return: false }, mesh: { enabled: true }, description: { enabled: true } },
});

export class FaceEngine {
  private constructor(
    private readonly human: Human,
    private readonly faceres: GraphModel,
  ) {}

  static async create(): Promise<FaceEngine> {
    installFileFetch();
    const paths = humanPaths();
    const module = require(paths.module) as { Human: new (config: object) => Human };
    const human = new module.Human(baseConfig(paths));
    await human.load();
    // FaceRes' clipped ReLUs as one op each (relu6.ts): the same descriptors in half its time.
    for (const model of Object.values(human.models.models)) if (model) fuseClippedReluInPlace(model);
    const faceres = human.models.models.faceres;
    if (!faceres) throw new Error('human did not load its FaceRes model');
    return new FaceEngine(human, faceres);
  }

  get backend(): string {
    return this.human.tf.getBackend();
  }

  /** Square windows of the picture (padding outside it black), each resized to 256 px, as one batch-free tensor each. */
  private crop(image: TensorLike, width: number, height: number, window: Window): TensorLike {
    const tf = this.human.tf;
    const box = tf.tensor2d([[window.y / height, window.x / width, (window.y + window.side) / height, (window.x + window.side) / width]]);
    const index = tf.tensor1d([0], 'int32');
    const out = tf.image.cropAndResize(image, box, index, [INPUT, INPUT], 'bilinear', 0);
    box.dispose();
    index.dispose();
    return out;
  }

  /**
   * The FaceRes descriptor of an aligned face crop, with `flip` the mean of the crop's and its
   * mirror image's (unit length). Run here rather than by human, which would describe every
   * face its detector returns in a window and needs a second detection for the mirror image:
   * this describes only the accepted face, both views in one batch, with human's preprocessing
   * (resized to the model's input, 0–255).
   */
  private describe(face: TensorLike, flip: boolean): number[] {
    const tf = this.human.tf;
    const size = this.faceres.inputs[0].shape?.[1] ?? 224;
    const input = tf.tidy(() => {
      const one = tf.expandDims(face, 0);
      // flipLeftRight, not reverse: the same pixels, and wasm's generic Reverse is 20× slower.
      return tf.mul(tf.image.resizeBilinear(flip ? tf.concat([one, tf.image.flipLeftRight(one)], 0) : one, [size, size]), 255);
    });
    const outputs = [this.faceres.execute(input)].flat();
    input.dispose();
    try {
      const descriptors = outputs.find((t) => t.shape[1] === 1024);
      if (!descriptors) throw new Error('FaceRes returned no 1024-d descriptor');
      const values = Array.from(descriptors.dataSync());
      const views = flip ? [values.slice(0, descriptors.shape[1]), values.slice(descriptors.shape[1])] : [values];
      return normalise(views.map(normalise).reduce((sum, v) => sum.map((x, i) => x + v[i])));
    } finally {
      tf.dispose(outputs);
    }
  }

  /** BlazeFace alone on each window: candidate boxes in picture pixels. */
  private async scan(image: TensorLike, width: number, height: number, windows: Window[], score: number): Promise<{ box: Box; score: number }[]> {
    const candidates: { box: Box; score: number }[] = [];
    for (const window of windows) {
      const input = this.crop(image, width, height, window);
      try {
        for (const f of (await this.human.detect(input, scanConfig(score))).face) {
          const [x, y, w, h] = f.box;
          candidates.push({ box: fromWindow({ x, y, w, h }, window, INPUT), score: f.boxScore });
        }
      } finally {
        input.dispose();
      }
    }
    return candidates;
  }

  private async plain(image: TensorLike, options: EngineOptions): Promise<EngineResult> {
    const t0 = performance.now();
    const result = await this.human.detect(image, plainConfig(options));
    const faces = result.face
      .filter((f) => f.embedding?.length && f.faceScore >= options.minMeshScore)
      .map((f) => ({ box: { x: f.box[0], y: f.box[1], w: f.box[2], h: f.box[3] }, score: f.boxScore, meshScore: f.faceScore, embedding: normalise(f.embedding!) }));
    return { faces, candidates: result.face.length, ms: { scan: 0, verify: Math.round(performance.now() - t0) } };
  }

  /** Stage 2 for each candidate: the faces detector and mesh agree on, described. */
  private async verify(image: TensorLike, width: number, height: number, candidates: { box: Box }[], options: EngineOptions): Promise<EngineFace[]> {
    const faces: EngineFace[] = [];
    for (const candidate of candidates) {
      const window = windowAround(candidate.box, options.context / 1.4);
      const input = this.crop(image, width, height, window);
      let found: HumanFace[];
      try {
        found = (await this.human.detect(input, verifyConfig(options.minScore))).face;
      } finally {
        input.dispose();
      }
      try {
        const face = nearestToCentre(found);
        if (!face?.tensor || face.mesh.length < 3) continue;
        if (face.boxScore < options.minScore || face.faceScore < options.minMeshScore) continue;
        const box = fromWindow(meshExtent(face.mesh), window, INPUT);
        if (Math.max(box.w, box.h) < options.minFaceSize) continue;
        faces.push({ box, score: face.boxScore, meshScore: face.faceScore, embedding: this.describe(face.tensor, options.flip) });
      } finally {
        for (const f of found) f.tensor?.dispose();
      }
    }
    return faces;
  }

  async analyse(pixels: Uint8Array, width: number, height: number, options: EngineOptions = DEFAULT_ENGINE_OPTIONS): Promise<EngineResult> {
    const tf = this.human.tf;
    // Converted here: tfjs' own conversion of bytes to an int32 tensor plus a cast cost ~5× more.
    const image = tf.tensor4d(Float32Array.from(pixels), [1, height, width, 3], 'float32');
    try {
      if (options.mode === 'plain') return await this.plain(image, options);
      const ms = { scan: 0, verify: 0 };
      const timed = async <T>(stage: keyof typeof ms, work: () => Promise<T>): Promise<T> => {
        const t0 = performance.now();
        const result = await work();
        ms[stage] += performance.now() - t0;
        return result;
      };
      const limit = options.maxFaces * 2;
      const whole = suppress(await timed('scan', () => this.scan(image, width, height, [wholeView(width, height)], options.candidateScore)), 0.5).slice(0, limit);
      const faces = await timed('verify', () => this.verify(image, width, height, whole, options));
      let candidates = whole.length;
      // Tiles look for the faces too small for the whole view, unless it found the photo's subject.
      if (!faces.some((f) => Math.max(f.box.w, f.box.h) >= options.scan.tilesBelow * Math.max(width, height))) {
        const found = await timed('scan', () => this.scan(image, width, height, tiles(width, height, options.scan), options.candidateScore));
        // Faces the whole view already offered are not verified twice.
        const fresh = suppress(found.filter((c) => whole.every((w) => overlapOfSmaller(w.box, c.box) <= 0.5)), 0.5).slice(0, limit);
        faces.push(...(await timed('verify', () => this.verify(image, width, height, fresh, options))));
        candidates += fresh.length;
      }
      const kept = suppress(faces, 0.5).slice(0, options.maxFaces);
      return { faces: kept, candidates, ms: { scan: Math.round(ms.scan), verify: Math.round(ms.verify) } };
    } finally {
      image.dispose();
    }
  }
}

/** The face a window was centred on: the detection whose centre is closest to the window's. */
function nearestToCentre(faces: HumanFace[]): HumanFace | undefined {
  let best: HumanFace | undefined;
  let bestDistance = Infinity;
  for (const f of faces) {
    const c = center({ x: f.box[0], y: f.box[1], w: f.box[2], h: f.box[3] });
    const d = Math.hypot(c.x - INPUT / 2, c.y - INPUT / 2);
    if (d < bestDistance && d < INPUT * 0.25) {
      best = f;
      bestDistance = d;
    }
  }
  return best;
}

/** The face itself: the extent of the 468 mesh points (forehead to chin, ear to ear). */
function meshExtent(mesh: [number, number, number?][]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of mesh) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

function normalise(v: number[]): number[] {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
