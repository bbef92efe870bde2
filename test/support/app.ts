import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/server.js';
import { createPostgresDatabase, type Dialect } from './db.js';

export const TEST_API_KEY = 'apikey_test_0123456789abcdefghij';

/** A clock tests can move (backoff, leases); it follows real time from where it was set. */
export class TestClock {
  private offsetMs = 0;
  private frozenAt: number | undefined;
  now = (): Date => new Date((this.frozenAt ?? Date.now()) + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Stops the clock (it still moves by `advance`): delays stay pending however slow the machine. */
  freeze(): void {
    this.frozenAt ??= Date.now();
  }
}

export interface TestApp {
  clock: TestClock;
  app: FastifyInstance;
  runtime: Runtime;
  config: Config;
  dialect: Dialect;
  /** JSON request with the owner's key; `query` values may be arrays (repeated keys). */
  api(method: string, url: string, options?: { body?: unknown; query?: Record<string, unknown>; key?: string | null }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function toQueryString(query: Record<string, unknown> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * A migrated app on a fresh database (a new SQLite file, or a new PostgreSQL database) with
 * its own data dir, bootstrapped with TEST_API_KEY. Face detection is off unless `env` turns
 * it on (EUCALYPT_FACES: 'on'): it adds seconds of model time per photo.
 */
export async function createTestApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-test-'));
  const pgDb = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = loadConfig({ EUCALYPT_DATA_DIR: dataDir, EUCALYPT_API_KEY: TEST_API_KEY, DATABASE_URL: pgDb?.url, EUCALYPT_FACES: 'off', ...env });
  const clock = new TestClock();
  const runtime = await startRuntime(config, { clock: clock.now });
  const app = await buildApp(runtime.deps);
  await app.ready();
  return {
    app,
    runtime,
    config,
    dialect,
    clock,
    api: (method, url, options = {}) =>
      app.inject({
        method: method as 'GET',
        url: url + toQueryString(options.query),
        headers: options.key === null ? {} : { authorization: `Bearer ${options.key ?? TEST_API_KEY}` },
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      }),
    close: async () => {
      await app.close();
      await runtime.close();
      await pgDb?.drop();
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
}
