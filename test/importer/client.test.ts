import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, GumnutClient, Redirected, retryAfterMs } from '../../src/importer/client.js';

/**
 * The client against a scripted stand-in for "any Gumnut-compatible server": each request
 * takes the next scripted answer, so retries and error shapes are exact.
 */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
type Answer = (req: Seen, res: http.ServerResponse) => void;

let server: http.Server;
let base: string;
let script: Answer[] = [];
let seen: Seen[] = [];
let tmp: string;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      (script.shift() ?? json(500, { detail: 'unscripted' }))(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-client-'));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fsp.rm(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  script = [];
  seen = [];
});

const client = (extra: Partial<ConstructorParameters<typeof GumnutClient>[0]> = {}) =>
  new GumnutClient({ server: `${base}/api/`, apiKey: 'apikey_x', retry: { baseDelayMs: 5 }, ...extra });

async function file(name: string, content: Buffer): Promise<string> {
  const p = path.join(tmp, name);
  await fsp.writeFile(p, content);
  return p;
}

const input = (p: string, fileName: string) => ({
  path: p,
  fileName,
  mimeType: 'image/jpeg',
  deviceAssetId: `dir/${fileName}`,
  deviceId: 'eucalypt-import:test',
  fileCreatedAt: '2024-01-02T03:04:05.000Z',
  fileModifiedAt: '2024-01-02T03:04:06.000Z',
});

describe('GumnutClient', () => {
  it('sends one multipart form with every field, the file bytes and an exact Content-Length', async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const p = await file('a.jpg', bytes);
    script = [json(201, { id: 'asset_1' })];
    let counted = 0;
    const outcome = await client({ libraryId: 'lib_9' }).upload(input(p, 'Café "quoted".jpg'), undefined, (n) => (counted += n));
    expect(outcome).toEqual({ created: true, assetId: 'asset_1' });
    expect(counted).toBe(bytes.length);
    const [req] = seen;
    expect(req.url).toBe('/api/assets');
    expect(req.headers.authorization).toBe('Bearer apikey_x');
    expect(Number(req.headers['content-length'])).toBe(req.body.length);
    const boundary = /boundary=(.+)$/.exec(req.headers['content-type']!)![1];
    const text = req.body.toString('latin1');
    for (const [name, value] of [['device_asset_id', 'dir/Café "quoted".jpg'], ['device_id', 'eucalypt-import:test'], ['file_created_at', '2024-01-02T03:04:05.000Z'], ['file_modified_at', '2024-01-02T03:04:06.000Z'], ['library_id', 'lib_9']]) {
      expect(req.body.includes(Buffer.from(`name="${name}"\r\n\r\n${value}\r\n`)), name).toBe(true);
    }
    expect(req.body.includes(Buffer.from('name="asset_data"; filename="Café %22quoted%22.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'))).toBe(true);
    const start = text.indexOf('Content-Type: image/jpeg\r\n\r\n') + 'Content-Type: image/jpeg\r\n\r\n'.length;
    expect(req.body.subarray(start, start + bytes.length).equals(bytes)).toBe(true);
    expect(text.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
  });

  it('an upload answered 200 is a duplicate of the asset it returns', async () => {
    script = [json(200, { id: 'asset_old' })];
    expect(await client().upload(input(await file('d.jpg', Buffer.from('x')), 'd.jpg'))).toEqual({ created: false, assetId: 'asset_old' });
  });

  it('retries 503 and a dropped connection, resending the whole file, and recounts the bytes', async () => {
    const p = await file('r.jpg', Buffer.alloc(100_000, 7));
    const retries: string[] = [];
    script = [json(503, { detail: 'busy' }, { 'retry-after': '0' }), (_req, res) => res.socket!.destroy(), json(201, { id: 'asset_2' })];
    let counted = 0;
    const outcome = await client({ onRetry: (_what, reason) => retries.push(reason) }).upload(input(p, 'r.jpg'), undefined, (n) => (counted += n));
    expect(outcome.assetId).toBe('asset_2');
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.body.length === Number(s.headers['content-length']))).toBe(true);
    expect(retries[0]).toBe('busy (HTTP 503)');
    expect(retries[1]).toMatch(/^cannot reach/);
    expect(counted).toBe(100_000);
  });

  it('honours Retry-After on 429', async () => {
    script = [json(429, { detail: 'slow down' }, { 'retry-after': '1' }), json(200, { assets: [] })];
    const started = Date.now();
    await client().exist(['abc=']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(seen).toHaveLength(2);
  });

  it('does not retry a 4xx and reports FastAPI details by location', async () => {
    script = [json(422, { detail: [{ loc: ['body', 'asset_data'], msg: 'The uploaded file is empty', type: 'value_error' }] })];
    const err = await client().upload(input(await file('e.jpg', Buffer.alloc(0)), 'e.jpg')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('asset_data: The uploaded file is empty (HTTP 422)');
    expect(seen).toHaveLength(1);
  });

  it('asks existence with checksums and library_id, and returns the checksums found', async () => {
    script = [json(200, { assets: [{ id: 'asset_1', checksum: 'b=', device_asset_id: 'x', device_id: 'y' }] })];
    const found = await client({ libraryId: 'lib_1' }).exist(['a=', 'b=']);
    expect([...found]).toEqual(['b=']);
    expect(seen[0].url).toBe('/api/assets/exist?library_id=lib_1');
    expect(JSON.parse(seen[0].body.toString())).toEqual({ checksums: ['a=', 'b='] });
  });

  it('never follows a redirect, and says where it points', async () => {
    script = [(_req, res) => res.writeHead(308, { location: 'https://photos.example/api/assets/exist' }).end()];
    const err = await client().exist(['a=']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Redirected);
    expect((err as Redirected).location).toBe('https://photos.example/api/assets/exist');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({}), now)).toBeUndefined();
  });
});
