/**
 * Worker thread running the face engine (face-engine.ts). The wasm backend is single-threaded
 * and one picture costs ~100–300 ms of CPU, so it never runs on the event loop.
 * Messages: `FaceRequest` in, `FaceResponse` out (see face-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions, type EngineResult, FaceEngine } from './face-engine.js';

export interface FaceRequest {
  readonly id: number;
  readonly pixels: ArrayBuffer;
  readonly width: number;
  readonly height: number;
  readonly options?: Partial<EngineOptions>;
}

export type FaceResponse = { readonly id: number; readonly ok: true; readonly result: EngineResult } | { readonly id: number; readonly ok: false; readonly message: string };

/** Posted once the models are loaded (so a later crash is about a picture, not the install). */
export interface FaceReady {
  readonly ready: true;
  readonly backend: string;
}

const port = parentPort;
if (port) {
  FaceEngine.create().then(
    (engine) => {
      port.on('message', (request: FaceRequest) => {
        const options = { ...DEFAULT_ENGINE_OPTIONS, ...request.options };
        engine.analyse(new Uint8Array(request.pixels), request.width, request.height, options).then(
          (result) => port.postMessage({ id: request.id, ok: true, result } satisfies FaceResponse),
          (err: unknown) => port.postMessage({ id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies FaceResponse),
        );
      });
      port.postMessage({ ready: true, backend: engine.backend } satisfies FaceReady);
    },
    (err: unknown) => {
      // Without models there is nothing to do: say why, then exit (the pool rejects queued work).
      console.error(`face worker could not load its models: ${err instanceof Error ? err.stack : String(err)}`);
      process.exit(1);
    },
  );
}
