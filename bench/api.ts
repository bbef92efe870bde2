/**
 * HTTP API benchmark on a 100,000-asset SQLite library, against the real server in its own
 * process (built and started as `npm start` runs it), driven from this process over keep-alive
 * connections:
 *   (a) `GET /api/assets?limit=200&include=metadata` latency, page one and pages walked with
 *       starting_after_id, one request at a time;
 *   (b) `GET /api/assets/{id}` throughput with 16 requests in flight;
 *   (c) a 2 GiB upload streamed from a generator while the server's RSS is sampled every 50 ms.
 * Every figure is printed with its ratio to a baseline measured the same way: the trivial
 * `GET /api/server/ping` for (a) and (b), the server's idle RSS for (c).
 *
 * Run: npm run bench:api [-- --assets 100000 --log-level info]
 * Exits 1 when a target is missed or a request fails.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { formatOffset } from '../src/domain/capture-time.js';
import { startRuntime } from '../src/server.js';
import * as libraryStore from '../src/store/libraries.js';
import { type SeedAsset, seedAssets } from '../test/support/seed.js';
import { buildDist, ROOT, SERVER_ENTRY, SERVER_NODE_FLAGS } from './dist.js';

const TARGETS = { listP50Ms: 10, listP99Ms: 30, getPerSec: 5_000, uploadRssMb: 300 };
const { values: args } = parseArgs({
  options: {
    assets: { type: 'string', default: '100000' },
    'log-level': { type: 'string', default: 'info' },
    /** Internal: build the library into this data dir and exit (run in a child process). */
    'build-library': { type: 'string' },
  },
});
const ASSETS = Number(args.assets);
const LOG_LEVEL = args['log-level']!;
const API_KEY = 'apikey_bench_0123456789abcdefghij';
const LIST_WARMUP = 60;
const LIST_REQUESTS = 400; // 40 walks of 10 pages
const PAGES_PER_WALK = 10;
const PING_WARMUP = 300;
const PING_REQUESTS = 2_000;
const CONCURRENCY = 16;
const THROUGHPUT_SECONDS = 6;
const UPLOAD_BYTES = 2 ** 31; // 2 GiB
const RSS_SAMPLE_MS = 50;


const SAMPLE_VIDEO = path.join(ROOT, '..', 'shared', 'media', 'video', 'hamilton_clip_faces.mp4');

// ---------------------------------------------------------------------------------------------
// Deterministic data

let seed = 0x9e3779b9;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const PLACES = [
  { lat: -33.87, lon: 151.21, offset: 600 }, // Sydney
  { lat: -37.81, lon: 144.96, offset: 600 }, // Melbourne
  { lat: 51.51, lon: -0.13, offset: 0 }, // London
  { lat: 48.86, lon: 2.35, offset: 60 }, // Paris
  { lat: 35.68, lon: 139.69, offset: 540 }, // Tokyo
  { lat: 40.71, lon: -74.01, offset: -300 }, // New York
  { lat: 37.77, lon: -122.42, offset: -480 }, // San Francisco
  { lat: 19.08, lon: 72.88, offset: 330 }, // Mumbai
  { lat: -36.85, lon: 174.76, offset: 720 }, // Auckland
  { lat: 64.15, lon: -21.94, offset: 0 }, // Reykjavik
] as const;

/**
 * A photo library of ~18 years: shots come in sessions (a day out, a trip) of 1–60 photos minutes
 * apart; 60 % carry an offset, 33 % are naive, 7 % have no capture time at all (so they fall back
 * to file_created_at and tie on it); 35 % geotagged near a city, 18 % rated, 8 % videos, 1 % trashed.
 */
function libraryItems(count: number): SeedAsset[] {
  const items: SeedAsset[] = [];
  const start = Date.UTC(2008, 0, 1);
  const span = Date.UTC(2025, 11, 31) - start;
  while (items.length < count) {
    let t = start + Math.floor(random() * span);
    const place = pick(PLACES);
    const session = 1 + Math.floor(random() ** 3 * 60);
    for (let i = 0; i < session && items.length < count; i++) {
      t += Math.floor(random() * 10 * 60_000);
      const wall = new Date(t).toISOString().slice(0, 19);
      const kind = random();
      const original_datetime = kind < 0.6 ? wall + formatOffset(place.offset) : kind < 0.93 ? wall : null;
      const geotagged = random() < 0.35;
      const r = random();
      items.push({
        original_datetime,
        latitude: geotagged ? place.lat + (random() - 0.5) * 0.2 : null,
        longitude: geotagged ? place.lon + (random() - 0.5) * 0.2 : null,
        rating: r < 0.03 ? 0 : r < 0.18 ? 1 + Math.floor(random() * 5) : null,
        media_type: random() < 0.08 ? 'video' : 'image',
        trashed_at: random() < 0.01 ? new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 1e9)).toISOString() : null,
      });
    }
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// HTTP client: one keep-alive agent, bodies read fully, time to the last byte

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let baseUrl = '';

interface Reply {
  status: number;
  body: Buffer;
  ms: number;
}

function request(pathAndQuery: string, auth = true): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(`${baseUrl}${pathAndQuery}`, { agent, headers: auth ? { authorization: `Bearer ${API_KEY}` } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function expectOk(reply: Reply, what: string): Reply {
  if (reply.status !== 200) throw new Error(`${what} answered ${reply.status}: ${reply.body.toString('utf8').slice(0, 500)}`);
  return reply;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
};

async function sequentialLatency(paths: () => string, warmup: number, count: number, what: string): Promise<number[]> {
  for (let i = 0; i < warmup; i++) expectOk(await request(paths()), what);
  const ms: number[] = [];
  for (let i = 0; i < count; i++) ms.push(expectOk(await request(paths()), what).ms);
  return ms;
}

/** `CONCURRENCY` loops issuing requests back to back until the deadline; answers per second. */
async function throughput(next: () => string, seconds: number, what: string): Promise<{ perSec: number; requests: number }> {
  const run = async (untilMs: number) => {
    let done = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < untilMs) {
          expectOk(await request(next()), what);
          done++;
        }
      }),
    );
    return done;
  };
  const warm = await run(performance.now() + 1000); // warm-up: open every socket, let the JIT settle
  const t0 = performance.now();
  const done = await run(t0 + seconds * 1000);
  return { perSec: done / ((performance.now() - t0) / 1000), requests: warm + done };
}

/**
 * CPU time (user + system, all threads) the server spent while `phase` ran, per request. Unlike
 * wall-clock latency it hardly grows when other processes compete for the CPUs.
 */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const cpuMs = (pid: number): number => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime, stime
};
async function withServerCpu<T>(pid: number, phase: () => Promise<T>, requests: (result: T) => number): Promise<T & { cpuMsPerRequest: number }> {
  const before = cpuMs(pid);
  const result = await phase();
  return { ...result, cpuMsPerRequest: (cpuMs(pid) - before) / requests(result) };
}

// ---------------------------------------------------------------------------------------------
// The list walk: page one and pages after a cursor, as clients scroll

interface Page {
  data: { id: string; metadata: unknown }[];
  has_more: boolean;
}

async function listWalks(liveIds: string[], warmup: number, count: number) {
  const pageOne: number[] = [];
  const cursorPages: number[] = [];
  let walk = 0;
  let cursor: string | undefined;
  let order: 'asc' | 'desc' = 'desc';
  let pageInWalk = PAGES_PER_WALK;
  for (let i = 0; i < warmup + count; i++) {
    if (pageInWalk === PAGES_PER_WALK || cursor === undefined) {
      // Walks alternate: from page one (newest first), from a random point deep in the library,
      // and every fourth one oldest first.
      walk++;
      pageInWalk = 0;
      order = walk % 4 === 3 ? 'asc' : 'desc';
      cursor = walk % 2 === 0 ? pick(liveIds) : undefined;
    }
    const query = `/api/assets?limit=200&include=metadata${order === 'asc' ? '&order=asc' : ''}${cursor ? `&starting_after_id=${cursor}` : ''}`;
    const reply = expectOk(await request(query), 'list');
    const page = JSON.parse(reply.body.toString('utf8')) as Page;
    if (page.data.length === 0 || page.data[0].metadata === null) throw new Error(`list returned an empty page or no metadata: ${query}`);
    if (i >= warmup) (cursor ? cursorPages : pageOne).push(reply.ms);
    cursor = page.has_more ? page.data[page.data.length - 1].id : undefined;
    pageInWalk++;
  }
  return { all: stats([...pageOne, ...cursorPages]), pageOne: stats(pageOne), cursorPages: stats(cursorPages) };
}

// ---------------------------------------------------------------------------------------------
// The 2 GiB upload: an MP4 whose trailing top-level `free` box holds the rest of the bytes

const rssKb = (pid: number): number => {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
};

function* bigMp4(video: Buffer, total: number): Generator<Buffer> {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(total - video.length, 0);
  header.write('free', 4, 'latin1');
  yield video;
  yield header;
  const zeros = Buffer.alloc(1 << 20);
  for (let left = total - video.length - 8; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
}

async function uploadBig(serverPid: number) {
  const video = await fsp.readFile(SAMPLE_VIDEO);
  if (UPLOAD_BYTES - video.length >= 2 ** 32) throw new Error('the free box would not fit a 32-bit size');
  const boundary = '----eucalyptbench7f3a9c';
  const fields = { device_asset_id: 'bench-2gib', device_id: 'bench', file_created_at: '2025-06-01T12:00:00Z', file_modified_at: '2025-06-01T12:00:00Z' };
  const head = Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') + `--${boundary}\r\nContent-Disposition: form-data; name="asset_data"; filename="bench-2gib.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const sha256 = createHash('sha256');
  function* body(): Generator<Buffer> {
    yield head;
    for (const chunk of bigMp4(video, UPLOAD_BYTES)) {
      sha256.update(chunk);
      yield chunk;
    }
    yield tail;
  }

  const idleKb = rssKb(serverPid);
  let peakKb = idleKb;
  let clientPeak = process.memoryUsage().rss;
  let samples = 0;
  const sampler = setInterval(() => {
    peakKb = Math.max(peakKb, rssKb(serverPid));
    clientPeak = Math.max(clientPeak, process.memoryUsage().rss);
    samples++;
  }, RSS_SAMPLE_MS);
  const t0 = performance.now();
  try {
    const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${baseUrl}/api/assets`, {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + UPLOAD_BYTES + tail.length),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      pipeline(Readable.from(body()), req).catch(reject);
    });
    peakKb = Math.max(peakKb, rssKb(serverPid));
    const seconds = (performance.now() - t0) / 1000;
    const asset = reply.status < 300 ? (JSON.parse(reply.text) as { id: string; file_data: { file_size_bytes: number; checksum: string } }) : undefined;
    const problems: string[] = [];
    if (reply.status !== 201) problems.push(`status ${reply.status} (expected 201): ${reply.text.slice(0, 300)}`);
    if (asset && asset.file_data.file_size_bytes !== UPLOAD_BYTES) problems.push(`file_size_bytes ${asset.file_data.file_size_bytes}, expected ${UPLOAD_BYTES}`);
    if (asset && asset.file_data.checksum !== sha256.digest('base64')) problems.push('file_data.checksum differs from the bytes sent');
    return { idleMb: idleKb / 1024, peakMb: peakKb / 1024, clientPeakMb: clientPeak / 2 ** 20, seconds, samples, problems, status: reply.status };
  } finally {
    clearInterval(sampler);
  }
}

// ---------------------------------------------------------------------------------------------
// Set-up and tear-down

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Seeds the library through the store as the server's own start-up would open it (migrate,
 * bootstrap with API_KEY), then writes the live asset ids next to the data dir.
 */
async function buildLibrary(dataDir: string): Promise<void> {
  const runtime = await startRuntime(loadConfig({ EUCALYPT_DATA_DIR: dataDir, EUCALYPT_API_KEY: API_KEY }));
  try {
    const owner = await runtime.deps.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const [library] = await libraryStore.listOwned(runtime.deps.db, { userId: owner.id, libraryIds: null }, 'live');
    const items = libraryItems(ASSETS);
    const liveIds: string[] = [];
    for (let i = 0; i < items.length; i += 10_000) {
      const rows = await seedAssets(runtime.deps.db, library.id, items.slice(i, i + 10_000));
      for (const row of rows) if (row.trashed_at === null) liveIds.push(row.id);
      if (process.stdout.isTTY) process.stdout.write(`\r  seeded ${Math.min(i + 10_000, items.length).toLocaleString('en')} / ${items.length.toLocaleString('en')}`);
    }
    if (process.stdout.isTTY) process.stdout.write('\n');
    await fsp.writeFile(`${dataDir}.live-ids.json`, JSON.stringify(liveIds));
  } finally {
    await runtime.close();
  }
}

/**
 * The library is built in a child process, so this process (the client) measures with a small
 * heap: seeding 100k rows here would leave garbage whose collection shows up as latency.
 */
async function buildLibraryInChild(dataDir: string): Promise<{ liveIds: string[]; seconds: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--build-library', dataDir, '--assets', String(ASSETS)], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`building the library failed (exit ${code})`);
  const liveIds = JSON.parse(await fsp.readFile(`${dataDir}.live-ids.json`, 'utf8')) as string[];
  return { liveIds, seconds: (performance.now() - t0) / 1000 };
}

async function startServer(dataDir: string, logFile: string): Promise<ChildProcess> {
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_ENTRY, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', EUCALYPT_DATA_DIR: dataDir, EUCALYPT_HOST: '127.0.0.1', EUCALYPT_PORT: String(port), EUCALYPT_LOG_LEVEL: LOG_LEVEL },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}; see ${logFile}`);
    const ok = await request('/api/server/ping', false).then((r) => r.status === 200, () => false);
    if (ok) return child;
    if (Date.now() > deadline) throw new Error('server did not answer ping within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------

if (args['build-library']) {
  await buildLibrary(args['build-library']);
  process.exit(0);
}

const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-bench-'));
const dataDir = path.join(tmp, 'data');
const logFile = path.join(tmp, 'server.log');
let server: ChildProcess | undefined;
let failed = false;
const interrupted = () => {
  server?.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(130);
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

try {
  console.log(`Eucalypt API benchmark — Node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}`);
  const loadBefore = os.loadavg()[0];
  console.log(`building a ${ASSETS.toLocaleString('en')}-asset SQLite library in ${dataDir}`);
  const library = await buildLibraryInChild(dataDir);
  console.log(`  ${library.liveIds.length.toLocaleString('en')} live assets, ${library.seconds.toFixed(1)} s; building dist/`);
  buildDist();
  server = await startServer(dataDir, logFile);
  const pid = server.pid!;
  console.log(`server: node ${[...SERVER_NODE_FLAGS, 'dist/cli.js'].join(' ')} serve (as npm start), pid ${pid}, ${baseUrl}, log level ${LOG_LEVEL}; client: this process, keep-alive http.Agent\n`);

  const ping = await withServerCpu(pid, async () => stats(await sequentialLatency(() => '/api/server/ping', PING_WARMUP, PING_REQUESTS, 'ping')), () => PING_WARMUP + PING_REQUESTS);
  const list = await withServerCpu(pid, () => listWalks(library.liveIds, LIST_WARMUP, LIST_REQUESTS), () => LIST_WARMUP + LIST_REQUESTS);
  const pingRate = await withServerCpu(pid, () => throughput(() => '/api/server/ping', THROUGHPUT_SECONDS, 'ping'), (r) => r.requests);
  const getRate = await withServerCpu(pid, () => throughput(() => `/api/assets/${pick(library.liveIds)}`, THROUGHPUT_SECONDS, 'get'), (r) => r.requests);
  const [pingPerSec, getPerSec] = [pingRate.perSec, getRate.perSec];
  console.log(`uploading ${UPLOAD_BYTES / 2 ** 30} GiB (sampling server RSS every ${RSS_SAMPLE_MS} ms)…`);
  const upload = await uploadBig(pid);

  const verdict = (ok: boolean) => {
    if (!ok) failed = true;
    return ok ? 'PASS' : 'FAIL';
  };
  const line = (label: string, value: string, ratio: string, target: string) =>
    console.log(`${label.padEnd(46)}${value.padStart(13)}  ${ratio.padEnd(28)}${target}`);
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const perSec = (v: number) => `${Math.round(v).toLocaleString('en')} /s`;
  console.log();
  line('measure', 'value', 'ratio to baseline', 'target');
  line('baseline: GET /api/server/ping p50', ms(ping.p50), `(${ping.n} sequential)`, '');
  line('baseline: GET /api/server/ping p99', ms(ping.p99), '', '');
  line('GET /api/assets?limit=200&include=metadata p50', ms(list.all.p50), `${(list.all.p50 / ping.p50).toFixed(1)}× ping p50`, `≤ ${TARGETS.listP50Ms} ms  ${verdict(list.all.p50 <= TARGETS.listP50Ms)}`);
  line('GET /api/assets?limit=200&include=metadata p99', ms(list.all.p99), `${(list.all.p99 / ping.p99).toFixed(1)}× ping p99`, `≤ ${TARGETS.listP99Ms} ms  ${verdict(list.all.p99 <= TARGETS.listP99Ms)}`);
  line(`  page one (${list.pageOne.n} requests) p50 / p99`, `${list.pageOne.p50.toFixed(2)} / ${list.pageOne.p99.toFixed(2)}`, 'ms', '');
  line(`  after starting_after_id (${list.cursorPages.n}) p50 / p99`, `${list.cursorPages.p50.toFixed(2)} / ${list.cursorPages.p99.toFixed(2)}`, 'ms', '');
  line('  server CPU per list request', ms(list.cpuMsPerRequest), `${(list.cpuMsPerRequest / ping.cpuMsPerRequest).toFixed(1)}× per ping (${ms(ping.cpuMsPerRequest)})`, '');
  line(`baseline: GET /api/server/ping, ${CONCURRENCY} in flight`, perSec(pingPerSec), `(${THROUGHPUT_SECONDS} s)`, '');
  line(`GET /api/assets/{id}, ${CONCURRENCY} in flight`, perSec(getPerSec), `${(getPerSec / pingPerSec).toFixed(2)}× ping`, `≥ ${TARGETS.getPerSec.toLocaleString('en')} /s  ${verdict(getPerSec >= TARGETS.getPerSec)}`);
  line('  server CPU per get request', ms(getRate.cpuMsPerRequest), `${(getRate.cpuMsPerRequest / pingRate.cpuMsPerRequest).toFixed(1)}× per ping (${ms(pingRate.cpuMsPerRequest)})`, '');
  line('baseline: server RSS before the upload', `${upload.idleMb.toFixed(0)} MB`, '', '');
  line(`upload 2 GiB: server peak RSS (${upload.samples} samples)`, `${upload.peakMb.toFixed(0)} MB`, `${(upload.peakMb / upload.idleMb).toFixed(2)}× idle RSS`, `≤ ${TARGETS.uploadRssMb} MB  ${verdict(upload.peakMb <= TARGETS.uploadRssMb)}`);
  line('  upload answer', `${upload.status}`, `${upload.seconds.toFixed(1)} s, ${((UPLOAD_BYTES / 2 ** 20) / upload.seconds).toFixed(0)} MiB/s`, `201 with the right size and checksum  ${verdict(upload.problems.length === 0)}`);
  line('  client (this process) peak RSS', `${upload.clientPeakMb.toFixed(0)} MB`, 'the body is generated, not buffered', '');
  for (const problem of upload.problems) console.log(`  upload problem: ${problem}`);
  // Server and client share the machine; anything else running shows up in the tail latencies.
  const load = `load average (1 min) ${loadBefore.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`;
  console.log(`\n${load}${Math.max(loadBefore, os.loadavg()[0]) > os.cpus().length - 1 ? ' — other processes were competing for the CPUs: p99 and req/s are pessimistic' : ''}`);
} catch (err) {
  failed = true;
  console.error(err);
  const log = await fsp.readFile(logFile, 'utf8').catch(() => '');
  if (log) console.error(`--- last lines of the server log ---\n${log.split('\n').slice(-20).join('\n')}`);
} finally {
  await stopServer(server);
  agent.destroy();
  await fsp.rm(tmp, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
