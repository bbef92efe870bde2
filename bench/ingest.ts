/**
 * npm run bench:ingest — 200 twelve-megapixel JPEGs uploaded over HTTP to a fresh server until
 * every non-ML task succeeded, against two baselines run in this process on the same files:
 *   (a) the floor: sharp producing the same eager rungs in a tight loop at the same concurrency;
 *   (b) an Immich-style recipe: decode once, 1440-px JPEG q80 + 250-px WebP q80 + ThumbHash,
 *       one image at a time.
 * Targets: ≥ 0.8 × (a), ≥ 2 × (b), server peak RSS (with its child processes) ≤ 1 GiB.
 * The baselines run while the warmed-up server sits idle, just before it is measured.
 * The server is measured warm, as a running server imports a library: 500 other photos go through
 * it first. V8 keeps compiling the upload and task paths for that long: TurboFan took ~400, 340,
 * 290, 160, 160 and then 50 ms of CPU over successive hundreds of uploads, 4–5 ms per photo in
 * the first two hundred.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { openImage } from '../src/media/decode.js';
import { renderRungSet } from '../src/media/render.js';
import { closeExifTool } from '../src/media/exiftool.js';
import { eagerRungs } from '../src/services/renditions.js';
import { defaultWorkerCount } from '../src/config.js';
import { buildDist, ROOT, SERVER_ENTRY, SERVER_NODE_FLAGS } from './dist.js';

const COUNT = Number(process.env.BENCH_INGEST_COUNT ?? 200);
const WIDTH = 4000;
const HEIGHT = 3000;
/** The server's task concurrency (its default unless EUCALYPT_WORKERS says otherwise); the floor runs at the same. */
const CONCURRENCY = Number(process.env.EUCALYPT_WORKERS || defaultWorkerCount());
const WARM_UP = 500;
/** Distinct pictures behind the warm-up uploads; each upload is made unique by a JPEG comment. */
const WARM_UP_PICTURES = 8;
const UPLOADS_IN_FLIGHT = 4;
/** What the bench waits for; ML (faces, labels, OCR) is switched off, burst detection runs later by design. */
const NON_ML_TASKS = ['thumbhash', 'reverse_geocoding', 'video_metadata_extract', 'video_thumbnail_extract', 'display_proxy_generation'];
const KEY = 'apikey_bench_ingest_0123456789abcdef';
const corpus = path.resolve(ROOT, '../shared/media');
const SOURCES = ['jpeg/nature/prairie_falcon.jpg', 'jpeg/nature/silver_fir.jpg', 'gps/italy_tuscany_DSCN0010.jpg', 'faces/obama/obama3.jpg', 'gps/spain_madrid_iphone6.jpg', 'faces/group/obama_and_biden.jpg', 'duplicates/el_torcal_rocks.jpg', 'faces/rose_leslie/rose_leslie_1.jpg'];

async function makeCorpus(dir: string): Promise<string[]> {
  await fsp.mkdir(dir, { recursive: true });
  // Grain from a larger field, cropped at a different place per file: every file is unique bytes.
  const noiseW = WIDTH + 256;
  const noiseH = HEIGHT + 256;
  const noise = Buffer.alloc(noiseW * noiseH * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = 112 + Math.floor(Math.random() * 32);
  const bases = await Promise.all(SOURCES.map((s) => sharp(path.join(corpus, s)).rotate().resize(WIDTH, HEIGHT, { fit: 'cover' }).toColourspace('srgb').removeAlpha().raw().toBuffer()));
  const files: string[] = [];
  for (let i = 0; i < COUNT + WARM_UP_PICTURES; i++) {
    const grain = await sharp(noise, { raw: { width: noiseW, height: noiseH, channels: 3 } })
      .extract({ left: (i * 37) % 256, top: (i * 53) % 256, width: WIDTH, height: HEIGHT })
      .raw()
      .toBuffer();
    const file = path.join(dir, `bench_${String(i).padStart(3, '0')}.jpg`);
    await sharp(bases[i % bases.length], { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .composite([{ input: grain, raw: { width: WIDTH, height: HEIGHT, channels: 3 }, blend: 'soft-light' }])
      .jpeg({ quality: 88 })
      .toFile(file);
    files.push(file);
  }
  return files;
}

async function pool<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await run(items[next++]);
  }));
}

interface Timing {
  seconds: number;
  /** CPU time of this process (every thread) meanwhile: the baselines' work, or the upload client's. */
  cpuMs: number;
}

async function timed(run: () => Promise<void>): Promise<Timing> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000, cpuMs: (used.user + used.system) / 1000 };
}

/** (a) The same eager rungs and ThumbHash the `thumbhash` task makes, nothing else. */
async function floor(files: string[]): Promise<Timing> {
  return timed(() =>
    pool(files, CONCURRENCY, async (file) => {
      await renderRungSet(await openImage(file, 'image/jpeg'), eagerRungs({ mime_type: 'image/jpeg' }));
    }),
  );
}

/** (b) Immich's recipe: one decode, two encodes and a ThumbHash, one image at a time. */
async function immichRecipe(files: string[]): Promise<Timing> {
  return timed(() =>
    pool(files, 1, async (file) => {
      const { data, info } = await sharp(file).rotate().resize(1440, 1440, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
      await sharp(data, raw).jpeg({ quality: 80 }).toBuffer();
      await sharp(data, raw).resize(250, 250, { fit: 'inside' }).webp({ quality: 80 }).toBuffer();
      const small = await sharp(data, raw).resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      rgbaToThumbHash(small.info.width, small.info.height, small.data);
    }),
  );
}

/** Sums `measure` over a process and its descendants, as /proc shows them now. */
function overTree(pid: number, measure: (pid: number) => number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      total += measure(p);
      const children = fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) visit(Number(c));
    } catch {
      // the process ended between two reads
    }
  };
  visit(pid);
  return total;
}

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** A /proc stat file: the thread's or process's name, and CPU fields in ms by their number in proc(5) (100 Hz ticks). */
function readStat(file: string): { name: string; ms: (field: number) => number } {
  const stat = fs.readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: (field) => Number(fields[field - 3]) * 10 };
}

/**
 * User + system CPU in ms of a process tree, by role: the server's event loop, libvips' threads,
 * Node's other threads (libuv pool, where sharp calls run, and V8's helpers), threads that have
 * ended, and child processes (here ExifTool's Perl), including those that ended and were reaped:
 * ExifTool replaces its Perl process every 500 files, taking the old one's CPU time with it.
 */
function cpuByRole(root: number): Map<string, number> {
  const roles = new Map<string, number>();
  const add = (role: string, ms: number) => roles.set(role, (roles.get(role) ?? 0) + ms);
  overTree(root, (pid) => {
    const proc = readStat(`/proc/${pid}/stat`);
    add('child processes', proc.ms(16) + proc.ms(17));
    if (pid !== root) {
      add('child processes', proc.ms(14) + proc.ms(15));
      return 0;
    }
    let live = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const thread = readStat(`/proc/${pid}/task/${tid}/stat`);
      const ms = thread.ms(14) + thread.ms(15);
      live += ms;
      add(tid === String(pid) ? 'event loop' : thread.name.startsWith('libvips') ? 'libvips' : 'libuv + V8 threads', ms);
    }
    add('threads that ended', proc.ms(14) + proc.ms(15) - live);
    return 0;
  });
  return roles;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * One photo as multipart/form-data (§3.11), the body built before the clock starts: the client
 * shares the server's cores, so it must cost little (fetch with FormData spent ~3.5× the CPU per
 * upload, time taken from the server).
 */
interface Part {
  body: Buffer;
  contentType: string;
}

function multipartBody(fileName: string, bytes: Buffer): Part {
  const boundary = `----eucalypt-bench-${randomUUID()}`;
  const now = new Date().toISOString();
  const fields = { device_asset_id: fileName, device_id: 'bench', file_created_at: now, file_modified_at: now };
  const head = (disposition: string) => `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n`;
  const body = Buffer.concat([
    ...Object.entries(fields).map(([name, value]) => Buffer.from(`${head(`name="${name}"`)}\r\n${value}\r\n`)),
    Buffer.from(`${head(`name="asset_data"; filename="${fileName}"`)}Content-Type: image/jpeg\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A JPEG with a comment segment (FFFE) after its start marker: new bytes, the same pixels to decode. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const comment = Buffer.from(text);
  const segment = Buffer.alloc(4 + comment.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(2 + comment.length, 2);
  comment.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

const agent = new http.Agent({ keepAlive: true });

function request(url: string, options: { method?: string; headers: Record<string, string | number>; body?: Buffer }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function upload(base: string, auth: Record<string, string>, part: Part): Promise<void> {
  const headers = { ...auth, 'content-type': part.contentType, 'content-length': part.body.length };
  const { status, text } = await request(`${base}/api/assets`, { method: 'POST', headers, body: part.body });
  if (status !== 201) throw new Error(`upload: ${status} ${text}`);
}

/**
 * Whether a task of `types` (default: the non-ML ones; `'any'`: every type, ML included) is still
 * pending or started. It asks one question at a time and stops at the first open task, so while
 * work remains the probe costs the server one request, not ten.
 */
async function anyTaskOpen(base: string, auth: Record<string, string>, types: readonly string[] | 'any' = NON_ML_TASKS): Promise<boolean> {
  for (const status of ['pending', 'started']) {
    for (const filter of types === 'any' ? [''] : types.map((t) => `&task_type=${t}`)) {
      const open = JSON.parse((await request(`${base}/api/tasks/?status=${status}${filter}&limit=1`, { headers: auth })).text) as unknown[];
      if (open.length > 0) return true;
    }
  }
  return false;
}

/**
 * Starts the server, warms it up, runs `baselines` while it sits idle, then measures it. The
 * baselines run just before the server's own run rather than minutes earlier: this VM's speed
 * drifts by ±10 % over minutes (the same libvips work took 57–71 ms of CPU per photo from one
 * run to the next), which swung the ratios more than any change under test.
 */
async function ours(warmUp: Buffer[], parts: Part[], dataDir: string, baselines: () => Promise<void>): Promise<Timing & { serverCpu: Map<string, number>; peakRss: number; failed: number }> {
  const port = 18000 + Math.floor(Math.random() * 1000);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_ENTRY, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, EUCALYPT_DATA_DIR: dataDir, EUCALYPT_PORT: String(port), EUCALYPT_API_KEY: KEY, EUCALYPT_LOG_LEVEL: 'warn', EUCALYPT_WORKERS: String(CONCURRENCY), EUCALYPT_FACES: 'off', EUCALYPT_LABELS: 'off', EUCALYPT_OCR: 'off' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${KEY}` };
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/api/server/ping`).then((r) => r.ok, () => false)) break;
    if (i > 900) throw new Error('server did not start within 90 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Warm-up bodies are made as they go (500 of them held at once would cost the bench ~1 GB).
  const warmUpRounds = Array.from({ length: WARM_UP }, (_, i) => i);
  await pool(warmUpRounds, UPLOADS_IN_FLIGHT, (i) => upload(base, auth, multipartBody(`warm_up_${i}.jpg`, withComment(warmUp[i % warmUp.length], `warm-up ${i}`))));
  // Every warm-up task, the background ones too, ends before the clock starts.
  while (await anyTaskOpen(base, auth, 'any')) await new Promise((r) => setTimeout(r, 100));
  await baselines();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, overTree(child.pid!, rssBytes))), 50);
  try {
    const cpuBefore = cpuByRole(child.pid!);
    const timing = await timed(async () => {
      await pool(parts, UPLOADS_IN_FLIGHT, (part) => upload(base, auth, part));
      while (await anyTaskOpen(base, auth)) await new Promise((r) => setTimeout(r, 50));
    });
    const serverCpu = new Map([...cpuByRole(child.pid!)].map(([role, ms]) => [role, ms - (cpuBefore.get(role) ?? 0)]));
    const failed = ((await (await fetch(`${base}/api/tasks/?status=failure&limit=1000`, { headers: auth })).json()) as unknown[]).length;
    return { ...timing, serverCpu, peakRss, failed };
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-bench-ingest-'));
try {
  console.log(`bench:ingest — ${COUNT} × ${WIDTH}×${HEIGHT} JPEGs, ${CONCURRENCY} workers, ${os.availableParallelism()} cores`);
  const made = await makeCorpus(path.join(work, 'photos'));
  const [warmUp, files] = [made.slice(0, WARM_UP_PICTURES), made.slice(WARM_UP_PICTURES)];
  const mb = (await Promise.all(files.map((f) => fsp.stat(f)))).reduce((s, st) => s + st.size, 0) / 1e6;
  console.log(`made ${files.length} files (+ ${WARM_UP} uploads to warm the server up), ${mb.toFixed(0)} MB; eager rungs: ${eagerRungs({ mime_type: 'image/jpeg' }).join(', ')} + ThumbHash`);
  buildDist();
  const parts = await Promise.all(files.map(async (f) => multipartBody(path.basename(f), await fsp.readFile(f))));
  let a: Timing | undefined;
  let b: Timing | undefined;
  const run = await ours(await Promise.all(warmUp.map((f) => fsp.readFile(f))), parts, path.join(work, 'data'), async () => {
    b = await immichRecipe(files);
    a = await floor(files);
  });
  if (!a || !b) throw new Error('the baselines did not run');
  const rate = (t: Timing) => COUNT / t.seconds;
  const vsFloor = rate(run) / rate(a);
  const vsRecipe = rate(run) / rate(b);
  // CPU per photo does not depend on what else the machine runs, unlike the rates.
  const perPhoto = (ms: number) => `${(ms / COUNT).toFixed(0).padStart(4)} ms`;
  const line = (label: string, t: Timing, cpu: string) => console.log(`${label.padEnd(44)} ${rate(t).toFixed(2).padStart(7)} photos/s  (${t.seconds.toFixed(1).padStart(5)} s)  CPU/photo ${cpu}`);
  line('(a) floor: eager rungs in sharp', a, perPhoto(a.cpuMs));
  line('(b) Immich-style recipe, one at a time', b, perPhoto(b.cpuMs));
  line('Eucalypt: HTTP upload → all tasks succeeded', run, `${perPhoto(sum(run.serverCpu))} server + ${perPhoto(run.cpuMs).trim()} upload client`);
  const roles = [...run.serverCpu].filter(([, ms]) => ms / COUNT >= 0.5).sort((a, b) => b[1] - a[1]);
  console.log(`  server CPU per photo by thread: ${roles.map(([role, ms]) => `${role} ${perPhoto(ms).trim()}`).join(', ')}`);
  const checks: [string, boolean][] = [
    [`vs floor ${vsFloor.toFixed(2)}× (target ≥ 0.8×)`, vsFloor >= 0.8],
    [`vs recipe ${vsRecipe.toFixed(2)}× (target ≥ 2×)`, vsRecipe >= 2],
    [`server peak RSS ${(run.peakRss / 2 ** 20).toFixed(0)} MiB incl. child processes (target ≤ 1024 MiB)`, run.peakRss <= 2 ** 30],
    [`failed tasks: ${run.failed}`, run.failed === 0],
  ];
  for (const [text, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
} finally {
  agent.destroy();
  await closeExifTool();
  await fsp.rm(work, { recursive: true, force: true });
}
