import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFolder } from '../../src/importer/import.js';
import { createPostgresDatabase, type Dialect, DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KEY = 'apikey_durability_0123456789abcdef';
const FILES = 200;
const KILL_AFTER = 70;

async function startServer(dataDir: string, databaseUrl: string | undefined, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      EUCALYPT_DATA_DIR: dataDir,
      EUCALYPT_PORT: String(port),
      EUCALYPT_API_KEY: KEY,
      EUCALYPT_LOG_LEVEL: 'warn',
      EUCALYPT_WORKERS: '2',
      EUCALYPT_TASK_LEASE_MS: '1500',
      // Durability is about uploads and the task queue; machine learning would only slow the run.
      EUCALYPT_FACES: 'off',
      EUCALYPT_LABELS: 'off',
      EUCALYPT_OCR: 'off',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`http://127.0.0.1:${port}/api/server/ping`).then((r) => r.ok, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('base64');

describe.each(DIALECTS)('SIGKILL during an import on %s', (dialect: Dialect) => {
  let work: string;
  let folder: string;
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-kill-'));
    folder = path.join(work, 'photos');
    await fsp.mkdir(folder);
    for (let i = 0; i < FILES - 2; i++) {
      await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: i, g: (i * 7) % 256, b: 255 - i } } })
        .jpeg({ quality: 80 })
        .toFile(path.join(folder, `p${String(i).padStart(3, '0')}.jpg`));
    }
    // Two real photos with GPS, so geocoding tasks are in flight too.
    await fsp.copyFile(mediaFile('gps/spain_madrid_iphone6.jpg'), path.join(folder, 'madrid.jpg'));
    await fsp.copyFile(mediaFile('gps/finland_oulu_bird.jpg'), path.join(folder, 'oulu.jpg'));
    if (dialect === 'postgres') {
      const created = await createPostgresDatabase();
      databaseUrl = created.url;
      drop = created.drop;
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await drop?.();
    await fsp.rm(work, { recursive: true, force: true });
  });

  it('keeps every acknowledged upload and completes every task after a restart', async () => {
    const dataDir = path.join(work, 'data');
    const port = 20000 + Math.floor(Math.random() * 10000);
    const server = `http://127.0.0.1:${port}`;
    const first = await startServer(dataDir, databaseUrl, port);
    children.push(first);
    const acknowledged: string[] = [];
    const stop = new AbortController();
    const interrupted = importFolder({
      folder, server, apiKey: KEY, concurrency: 4, cacheFile: null, signal: stop.signal, retry: { attempts: 1 },
      onUploaded: (file, outcome) => {
        if (outcome !== 'new') return;
        acknowledged.push(file.path);
        if (acknowledged.length === KILL_AFTER) {
          first.kill('SIGKILL'); // mid-flight: uploads, commits and tasks are all in progress
          stop.abort();
        }
      },
    }).catch(() => undefined);
    await interrupted;
    if (first.exitCode === null && first.signalCode === null) await new Promise((r) => first.once('exit', r));
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);

    const second = await startServer(dataDir, databaseUrl, port);
    children.push(second);
    const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const checksums = acknowledged.map((f) => sha256(path.isAbsolute(f) ? f : path.join(folder, f)));
    const found = await (await fetch(`${server}/api/assets/exist`, { method: 'POST', headers: auth, body: JSON.stringify({ checksums }) })).json();
    expect(new Set(found.assets.map((a: { checksum: string }) => a.checksum))).toEqual(new Set(checksums));
    // Their bytes are there too: every acknowledged original downloads intact.
    for (const asset of found.assets.slice(0, 20)) {
      const full = await (await fetch(`${server}/api/assets/${asset.id}?include=variants`, { headers: auth })).json();
      const bytes = Buffer.from(await (await fetch(full.asset_urls.original.url)).arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('base64')).toBe(asset.checksum);
    }

    const rest = await importFolder({ folder, server, apiKey: KEY, concurrency: 4, cacheFile: null });
    expect(rest.failed).toEqual([]);
    const library = (await (await fetch(`${server}/api/libraries`, { headers: auth })).json())[0];
    expect(library.asset_count).toBe(FILES);

    let open = Infinity;
    for (let i = 0; i < 600 && open > 0; i++) {
      const lists = await Promise.all(['pending', 'started'].map(async (s) => (await (await fetch(`${server}/api/tasks/?status=${s}&limit=1000`, { headers: auth })).json()).length));
      open = lists[0] + lists[1];
      if (open > 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe(0);
    const failed = await (await fetch(`${server}/api/tasks/?status=failure&limit=1000`, { headers: auth })).json();
    expect(failed).toEqual([]);
    const assets = await (await fetch(`${server}/api/assets?limit=200`, { headers: auth })).json();
    expect(assets.data.every((a: { thumbhash: string | null }) => a.thumbhash !== null)).toBe(true);
    second.kill('SIGTERM');
  }, 240_000);
});
