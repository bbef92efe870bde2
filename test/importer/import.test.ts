import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/importer/command.js';
import { ImportError, importFolder, type ImportOptions } from '../../src/importer/import.js';
import { quietProgress } from '../../src/importer/progress.js';
import { newLibraryRow } from '../../src/services/libraries.js';
import * as libraryStore from '../../src/store/libraries.js';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { type ManifestEntry, mediaEntries, mediaEntry, mediaFile } from '../support/media.js';

/** Corpus folders copied into the import folder, each under a nested destination. */
const LAYOUT: Record<string, string> = {
  'jpeg/camera/': 'camera/',
  'gps/': 'trips/2019/gps/',
  'duplicates/': 'trips/2019/gps/more/dupes/',
  'bad/': 'incoming/bad/',
};
/** The original of duplicates/obama_copy.jpg, so that copy is an exact duplicate in the folder too. */
const EXTRA = { 'faces/obama/obama.jpg': 'people/obama.jpg' };

interface Planted {
  source: ManifestEntry;
  /** Relative to the import folder. */
  relative: string;
}

async function plantFolder(root: string): Promise<Planted[]> {
  const planted: Planted[] = [];
  const plant = async (source: ManifestEntry, relative: string) => {
    await fsp.mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await fsp.copyFile(mediaFile(source.path), path.join(root, relative));
    planted.push({ source, relative });
  };
  for (const [from, to] of Object.entries(LAYOUT)) {
    for (const file of mediaEntries((f) => f.path.startsWith(from))) await plant(file, to + file.path.slice(from.length));
  }
  for (const [from, to] of Object.entries(EXTRA)) await plant(mediaEntry(from), to);
  // Never imported: dotfiles and dot-folders, other extensions, and a link back to the root.
  await fsp.mkdir(path.join(root, '.thumbnails'));
  await fsp.copyFile(mediaFile('gps/finland_oulu_bird.jpg'), path.join(root, '.thumbnails', 'bird.jpg'));
  await fsp.copyFile(mediaFile('gps/kenya_nakuru_kodak.jpg'), path.join(root, 'camera', '.hidden.jpg'));
  await fsp.writeFile(path.join(root, 'trips', 'notes.txt'), 'not media');
  await fsp.symlink(root, path.join(root, 'trips', '2019', 'loop'));
  return planted;
}

/** Every asset of the library, paged (§3.4). */
async function listAll(t: TestApp, libraryId?: string): Promise<{ id: string; file_data: { checksum: string; device_asset_id: string; device_id: string } }[]> {
  const all = [];
  let after: string | undefined;
  for (;;) {
    const res = await t.api('GET', '/api/assets', { query: { limit: 200, include: 'file_data', starting_after_id: after, library_id: libraryId } });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    all.push(...page.data);
    if (!page.has_more) return all;
    after = page.data.at(-1).id;
  }
}

/** A second (third…) library of the owner, written through the store: there is no POST /api/libraries yet. */
async function addLibrary(t: TestApp, name: string): Promise<string> {
  const owner = await t.runtime.deps.db.selectFrom('libraries').select('user_id').executeTakeFirstOrThrow();
  const row = newLibraryRow(t.runtime.deps, owner.user_id, name);
  await libraryStore.insert(t.runtime.deps.db, row);
  return row.id;
}

describe.each(DIALECTS)('eucalypt import on %s', (dialect) => {
  let t: TestApp;
  let server: string;
  let tmp: string;
  let folder: string;
  let planted: Planted[];
  const run = (extra: Partial<ImportOptions> = {}) =>
    importFolder({ folder, server, apiKey: TEST_API_KEY, cacheFile: path.join(tmp, 'cache.json'), retry: { baseDelayMs: 10 }, ...extra });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    server = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-import-'));
    folder = path.join(tmp, 'photos');
    planted = await plantFolder(folder);
  });
  afterAll(async () => {
    await t.close();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('uploads each distinct file once, counts in-folder copies as duplicates and reports bad/ rejections with reasons', async () => {
    const good = planted.filter((p) => !p.source.path.startsWith('bad/'));
    const bad = planted.filter((p) => p.source.path.startsWith('bad/'));
    const distinct = new Set(good.map((p) => p.source.sha256_base64));
    expect(good.length - distinct.size).toBe(2); // el_torcal_rocks_copy.jpeg, obama_copy.jpg

    const summary = await run();

    expect(summary.found).toBe(planted.length);
    expect(summary.ignored).toBe(1);
    expect(summary.skipped).toBe(0);
    expect(summary.stopped).toBeNull();
    expect(summary.pending).toBe(0);
    // Text named .jpg and an empty file are refused with the server's 422 detail; the
    // truncated or corrupt ones may be stored (their decode fails later, in a task).
    const failedPaths = summary.failed.map((f) => f.path);
    expect(failedPaths).toEqual(expect.arrayContaining(['incoming/bad/empty.jpg', 'incoming/bad/not_an_image.jpg']));
    for (const f of summary.failed) {
      expect(f.path).toMatch(/^incoming\/bad\//);
      expect(f.reason).toMatch(/\(HTTP 4\d\d\)$/);
    }
    expect(summary.failed.find((f) => f.path === 'incoming/bad/empty.jpg')!.reason).toBe('asset_data: The uploaded file is empty (HTTP 422)');
    expect(summary.new).toBe(distinct.size + bad.length - summary.failed.length);
    expect(summary.duplicates).toBe(good.length - distinct.size);
    expect(summary.new + summary.duplicates + summary.failed.length).toBe(planted.length);

    const assets = await listAll(t);
    expect(assets).toHaveLength(summary.new);
    const listed = new Set(assets.map((a) => a.file_data.checksum));
    for (const sha of distinct) expect(listed.has(sha)).toBe(true);
    const camera = assets.find((a) => a.file_data.checksum === mediaEntry('jpeg/camera/Canon_40D.jpg').sha256_base64)!;
    expect(camera.file_data.device_asset_id).toBe('camera/Canon_40D.jpg');
    expect(camera.file_data.device_id).toBe(`eucalypt-import:${os.hostname()}`);
    expect(assets.some((a) => a.file_data.device_asset_id.includes('.thumbnails') || a.file_data.device_asset_id.includes('loop/'))).toBe(false);
  });

  it('a second run uploads nothing new: everything on the server is skipped, from cached hashes', async () => {
    const cache = JSON.parse(await fsp.readFile(path.join(tmp, 'cache.json'), 'utf8'));
    expect(Object.keys(cache.files)).toHaveLength(planted.length);
    const before = (await listAll(t)).length;
    let cachedFiles = 0;
    const progress = { ...quietProgress, advance: (files: number, _bytes: number, o?: { cached?: boolean }) => void (o?.cached && (cachedFiles += files)) };

    const summary = await run({ progress });

    expect(cachedFiles).toBe(planted.length);
    expect(summary.new).toBe(0);
    expect(summary.duplicates).toBe(0);
    // The rejected files are tried (and refused) again; everything else is already there.
    expect(summary.failed.every((f) => f.path.startsWith('incoming/bad/'))).toBe(true);
    expect(summary.skipped).toBe(planted.length - summary.failed.length);
    expect(summary.uploadedBytes).toBe(0);
    expect(await listAll(t)).toHaveLength(before);
  });

  it('with several libraries and no --library-id, stops before any work and says to pass one', async () => {
    await addLibrary(t, 'Second');
    await expect(run()).rejects.toThrow(/library_id is required.*--library-id/);
  });

  it('an import interrupted after 3 uploads resumes with only what is missing', async () => {
    const libraryId = await addLibrary(t, 'Resume');
    const camera = path.join(folder, 'camera');
    const total = planted.filter((p) => p.relative.startsWith('camera/')).length;
    const controller = new AbortController();
    let uploads = 0;
    const cacheFile = path.join(tmp, 'camera-cache.json');

    const first = await run({
      folder: camera,
      libraryId,
      cacheFile,
      concurrency: 1,
      signal: controller.signal,
      onUploaded: () => {
        if (++uploads === 3) controller.abort();
      },
    });
    expect(first.stopped).toBe('interrupted');
    expect(first.new).toBe(3);
    expect(first.pending).toBe(total - 3);
    expect(await listAll(t, libraryId)).toHaveLength(3);

    const second = await run({ folder: camera, libraryId, cacheFile });
    expect(second).toMatchObject({ found: total, skipped: 3, new: total - 3, duplicates: 0, pending: 0, stopped: null, failed: [] });
    expect(await listAll(t, libraryId)).toHaveLength(total);
  });

  it('a dry run hashes and checks but sends nothing', async () => {
    const libraryId = await addLibrary(t, 'Dry');
    const summary = await run({ folder: path.join(folder, 'trips'), libraryId, dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, new: 0, duplicates: 0, skipped: 0, failed: [] });
    expect(summary.pending).toBe(summary.found);
    expect(await listAll(t, libraryId)).toHaveLength(0);
  });

  it('explains a wrong key (401), a missing folder and an unreachable server', async () => {
    await expect(run({ apiKey: 'apikey_wrong_0123456789abcdef' })).rejects.toMatchObject({ name: 'ImportError', status: 401, message: expect.stringMatching(/rejected the API key \(401/) });
    await expect(run({ folder: path.join(tmp, 'nope') })).rejects.toThrow(`Folder not found: ${path.join(tmp, 'nope')}`);
    const closed = await freePort();
    await expect(run({ server: `http://127.0.0.1:${closed}` })).rejects.toThrow(new ImportError(`Cannot reach the server at http://127.0.0.1:${closed} (ECONNREFUSED). Is it running? Choose another with --server URL.`));
  });

  it('the command prints the summary and exits 1 when a file failed', async () => {
    const libraryId = await addLibrary(t, 'CLI');
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s), isTTY: false } };
    const code = await runImport([path.join(folder, 'incoming'), '--server', server, '--library-id', libraryId, '--concurrency', '2'], { GUMNUT_API_KEY: TEST_API_KEY, XDG_CACHE_HOME: tmp }, io);
    expect(code).toBe(1);
    const text = out.join('');
    expect(text).toMatch(/failed\s+\d+/);
    expect(text).toContain('bad/empty.jpg: asset_data: The uploaded file is empty (HTTP 422)');
    expect(err.join('')).toMatch(/^Uploading .* files/m);

    err.length = 0;
    expect(await runImport([folder, '--server', server], { EUCALYPT_DATA_DIR: path.join(tmp, 'no-data') }, io)).toBe(2);
    expect(err.join('')).toContain('No API key: pass --api-key KEY or set GUMNUT_API_KEY.');
  });
});

async function freePort(): Promise<number> {
  const net = await import('node:net');
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
