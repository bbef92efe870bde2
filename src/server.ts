import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { openBlobStore } from './blobs/index.js';
import { sweepTempFiles } from './blobs/temp-file.js';
import type { Config } from './config.js';
import { handlers } from './jobs/registry.js';
import type { TaskContext } from './jobs/task.js';
import { Worker } from './jobs/worker.js';
import { closeExifTool } from './media/exiftool.js';
import { closeHeicPool } from './media/heic-pool.js';
import { raiseMallocThreshold } from './media/malloc-threshold.js';
import { closeFacePool } from './ml/face-pool.js';
import { closeOcr } from './ml/ocr.js';
import { closeVision } from './ml/vision.js';
import { embeddingProvider } from './ml/embeddings.js';
import { ensureOwner, INITIAL_KEY_FILE } from './services/bootstrap.js';
import * as searchIndex from './services/search-index.js';
import type { Deps } from './services/deps.js';
import { migrate, openStore } from './store/db.js';
import * as settings from './store/settings.js';

const STALE_UPLOAD_MS = 60 * 60 * 1000;

export interface Runtime {
  deps: Deps;
  /** Runs the background tasks; started by `serve` (unless EUCALYPT_WORKERS=0) and `worker`. */
  worker: Worker;
  /** The raw key when this start created the owner (print it once). */
  initialApiKey: string | undefined;
  close(): Promise<void>;
}

/** Opens the database (migrating it), blob store and engines, and bootstraps the owner. */
export async function startRuntime(config: Config, options: { log?: TaskContext['log']; clock?: () => Date } = {}): Promise<Runtime> {
  raiseMallocThreshold();
  const store = openStore(config);
  await migrate(store.db);
  const tmpDir = path.join(config.dataDir, 'tmp');
  await fsp.mkdir(tmpDir, { recursive: true });
  await sweepTempFiles(tmpDir, STALE_UPLOAD_MS);
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    blobs: await openBlobStore(config),
    clock: options.clock ?? (() => new Date()),
    config,
    tmpDir,
    signingSecret: await settings.getOrCreate(store.db, 'media_signing_secret', () => randomBytes(32).toString('base64url')),
    wake: () => worker.nudge(),
  };
  const worker = new Worker(deps, handlers, { concurrency: Math.max(1, config.workers), leaseMs: config.taskLeaseMs, log: options.log });
  const initialApiKey = await ensureOwner(deps);
  await searchIndex.backfill(deps, embeddingProvider(config)?.model);
  return {
    deps,
    worker,
    initialApiKey,
    close: async () => {
      await worker.stop();
      await closeExifTool();
      await closeHeicPool();
      await closeFacePool();
      await closeVision();
      await closeOcr();
      await store.close();
    },
  };
}

export async function serve(config: Config): Promise<{ app: FastifyInstance; runtime: Runtime; url: string }> {
  const log = pino({ level: config.logLevel });
  const runtime = await startRuntime(config, { log: log.child({ component: 'worker' }) });
  const app = await buildApp(runtime.deps, { logger: log });
  const url = await app.listen({ host: config.host, port: config.port });
  if (runtime.initialApiKey) {
    app.log.info(`Created the owner account. API key (shown once, also in ${path.join(config.dataDir, INITIAL_KEY_FILE)}): ${runtime.initialApiKey}`);
  }
  if (config.workers > 0) runtime.worker.start();
  app.log.info(`Eucalypt is serving the Gumnut API at ${url}/api (data in ${config.dataDir}, database ${runtime.deps.dialect.name}, ${config.workers} task workers)`);
  exitOnSignal(async () => {
    await app.close();
    await runtime.close();
  });
  return { app, runtime, url };
}

/** `eucalypt worker`: background tasks only, for scaling out beside one or more servers. */
export async function work(config: Config): Promise<Runtime> {
  const log = pino({ level: config.logLevel });
  const runtime = await startRuntime(config, { log });
  runtime.worker.start();
  log.info(`Eucalypt worker ${runtime.worker.id} running ${Math.max(1, config.workers)} tasks at a time (database ${runtime.deps.dialect.name})`);
  // The worker's timers are unref'd (so tests and `serve` can end), and a worker has no HTTP server:
  // without this, the process would exit between tasks whenever its output is a file.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  exitOnSignal(async () => {
    clearInterval(keepAlive);
    await runtime.close();
  });
  return runtime;
}

function exitOnSignal(close: () => Promise<void>): void {
  const shutdown = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
