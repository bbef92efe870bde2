import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { LocalBlobStore } from './blobs/index.js';
import { sweepTempFiles } from './blobs/temp-file.js';
import type { Config } from './config.js';
import { MetadataReader } from './media/exif.js';
import { ensureOwner, INITIAL_KEY_FILE } from './services/bootstrap.js';
import type { Deps } from './services/deps.js';
import { migrate, openStore } from './store/db.js';

const STALE_UPLOAD_MS = 60 * 60 * 1000;

export interface Runtime {
  deps: Deps;
  /** The raw key when this start created the owner (print it once). */
  initialApiKey: string | undefined;
  close(): Promise<void>;
}

/** Opens the database (migrating it), blob store and engines, and bootstraps the owner. */
export async function startRuntime(config: Config): Promise<Runtime> {
  const store = openStore(config);
  await migrate(store.db);
  const tmpDir = path.join(config.dataDir, 'tmp');
  await fsp.mkdir(tmpDir, { recursive: true });
  await sweepTempFiles(tmpDir, STALE_UPLOAD_MS);
  const metadata = new MetadataReader();
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    blobs: new LocalBlobStore(path.join(config.dataDir, 'blobs')),
    metadata,
    clock: () => new Date(),
    config,
    tmpDir,
  };
  const initialApiKey = await ensureOwner(deps);
  return {
    deps,
    initialApiKey,
    close: async () => {
      await metadata.close();
      await store.close();
    },
  };
}

export async function serve(config: Config): Promise<{ app: FastifyInstance; runtime: Runtime; url: string }> {
  const runtime = await startRuntime(config);
  const app = await buildApp(runtime.deps, { logger: { level: config.logLevel } });
  const url = await app.listen({ host: config.host, port: config.port });
  if (runtime.initialApiKey) {
    app.log.info(`Created the owner account. API key (shown once, also in ${path.join(config.dataDir, INITIAL_KEY_FILE)}): ${runtime.initialApiKey}`);
  }
  app.log.info(`Eucalypt is serving the Gumnut API at ${url}/api (data in ${config.dataDir}, database ${runtime.deps.dialect.name})`);
  const shutdown = async () => {
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return { app, runtime, url };
}
