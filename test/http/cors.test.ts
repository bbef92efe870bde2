import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_EXPOSED_HEADERS } from '../../src/http/cors.js';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { seedAssets } from '../support/seed.js';
import { DEFAULT_FIELDS, multipartBody, uploadFile } from '../support/upload.js';

const PAGE = 'http://localhost:5173';
const PHOTOS = ['gps/finland_oulu_bird.jpg', 'gps/italy_tuscany_DSCN0010.jpg'];
const SDK_HEADERS = 'authorization, content-type, x-stainless-os, x-stainless-lang, x-stainless-retry-count, x-stainless-package-version';

/** Every `url` field anywhere in a JSON body, plus any other string that looks like an absolute URL. */
function urlsIn(value: unknown, out: string[] = [], key = ''): string[] {
  if (typeof value === 'string') {
    if (key === 'url' || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) urlsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) urlsIn(v, out, k);
  }
  return out;
}

const listHeader = (value: unknown) =>
  String(value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

async function uploadPhotos(t: TestApp): Promise<string[]> {
  const ids: string[] = [];
  for (const path of PHOTOS) {
    const res = await uploadFile(t, mediaFile(path), { device_asset_id: path });
    expect(res.statusCode, path).toBe(201);
    ids.push(res.json().id);
  }
  await t.runtime.worker.runUntilIdle();
  return ids;
}

/** Injects a request whose absolute URL came from a response: path and query only, plus headers. */
function fetchUrl(t: TestApp, url: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return t.app.inject({ method: 'GET', url: u.pathname + u.search, headers });
}

describe.each(DIALECTS)('browser clients on %s', (dialect) => {
  describe('CORS with the default policy (any origin, no credentials)', () => {
    let t: TestApp;
    let ids: string[];
    beforeAll(async () => {
      t = await createTestApp(dialect);
      ids = await uploadPhotos(t);
    }, 120_000);
    afterAll(async () => {
      await t.close();
    });

    const expectCors = (res: { headers: Record<string, unknown> }, what: string) => {
      expect(res.headers['access-control-allow-origin'], what).toBe('*');
      expect(res.headers['access-control-allow-credentials'], what).toBeUndefined();
      expect(listHeader(res.headers['access-control-expose-headers']), what).toEqual(expect.arrayContaining([...CORS_EXPOSED_HEADERS]));
    };

    it('answers preflights with authorization and SDK headers on representative routes, never 401', async () => {
      const thumb = (await t.api('GET', `/api/assets/${ids[0]}`)).json().asset_urls.thumbnail.url as string;
      const media = new URL(thumb);
      const routes: [string, string][] = [
        ['GET', '/api/assets'],
        ['GET', `/api/assets/${ids[0]}`],
        ['PATCH', `/api/assets/${ids[0]}`],
        ['DELETE', `/api/assets/${ids[0]}`],
        ['POST', '/api/assets'],
        ['POST', '/api/assets/trash'],
        ['GET', '/api/events?limit=10'],
        ['GET', '/api/users/me'],
        ['GET', media.pathname + media.search],
      ];
      for (const [method, url] of routes) {
        const res = await t.app.inject({
          method: 'OPTIONS',
          url,
          headers: { origin: PAGE, 'access-control-request-method': method, 'access-control-request-headers': SDK_HEADERS },
        });
        const what = `preflight ${method} ${url}`;
        expect(res.statusCode, what).toBe(204);
        expect(res.headers['access-control-allow-origin'], what).toBe('*');
        expect(listHeader(res.headers['access-control-allow-methods']), what).toEqual(expect.arrayContaining(['get', 'post', 'patch', 'delete']));
        expect(listHeader(res.headers['access-control-allow-headers']), what).toEqual(expect.arrayContaining([...listHeader(SDK_HEADERS), 'range']));
        expect(Number(res.headers['access-control-max-age']), what).toBeGreaterThan(0);
      }
    });

    it('allows any x-stainless-* header but not arbitrary ones', async () => {
      const res = await t.app.inject({
        method: 'OPTIONS',
        url: '/api/assets',
        headers: { origin: PAGE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-stainless-some-future-header, x-evil' },
      });
      const allowed = listHeader(res.headers['access-control-allow-headers']);
      expect(allowed).toContain('x-stainless-some-future-header');
      expect(allowed).not.toContain('x-evil');
    });

    it('a successful cross-origin read carries the CORS headers', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/assets', headers: { origin: PAGE, authorization: `Bearer ${TEST_API_KEY}` } });
      expect(res.statusCode).toBe(200);
      expectCors(res, 'GET /api/assets');
    });

    it('401, 403, 404 and 422 answers carry the CORS headers, so a page can read them', async () => {
      const origin = { origin: PAGE };
      const unauthorized = await t.app.inject({ method: 'GET', url: '/api/assets', headers: origin });
      expect(unauthorized.statusCode).toBe(401);
      expectCors(unauthorized, '401');
      const badKey = await t.app.inject({ method: 'GET', url: '/api/assets', headers: { ...origin, authorization: 'Bearer apikey_wrong_0123456789abcdef' } });
      expect(badKey.statusCode).toBe(401);
      expectCors(badKey, '401 bad key');
      const thumb = new URL((await t.api('GET', `/api/assets/${ids[0]}`)).json().asset_urls.thumbnail.url);
      thumb.searchParams.set('verify', 'tampered');
      const forbidden = await t.app.inject({ method: 'GET', url: thumb.pathname + thumb.search, headers: origin });
      expect(forbidden.statusCode).toBe(403);
      expectCors(forbidden, '403');
      const auth = { ...origin, authorization: `Bearer ${TEST_API_KEY}` };
      const missing = await t.app.inject({ method: 'GET', url: '/api/assets/asset_2222222222222222222222', headers: auth });
      expect(missing.statusCode).toBe(404);
      expectCors(missing, '404 asset');
      const noRoute = await t.app.inject({ method: 'GET', url: '/api/no-such-thing', headers: auth });
      expect(noRoute.statusCode).toBe(404);
      expectCors(noRoute, '404 route');
      const invalid = await t.app.inject({ method: 'GET', url: '/api/assets?limit=0', headers: auth });
      expect(invalid.statusCode).toBe(422);
      expectCors(invalid, '422');
      const badJson = await t.app.inject({ method: 'PATCH', url: `/api/assets/${ids[0]}`, headers: { ...auth, 'content-type': 'application/json' }, payload: '{' });
      expect(badJson.statusCode).toBe(422);
      expectCors(badJson, '422 json');
    });

    it('every media rung loads cross-origin, ranges included', async () => {
      for (const id of ids) {
        const { asset_urls } = (await t.api('GET', `/api/assets/${id}`, { query: { include: 'variants' } })).json();
        expect(Object.keys(asset_urls)).toEqual(expect.arrayContaining(['thumbnail', 'small', 'preview', 'fullsize', 'original']));
        for (const [name, variant] of Object.entries<{ url: string; mimetype: string }>(asset_urls)) {
          const res = await fetchUrl(t, variant.url, { origin: PAGE });
          expect(res.statusCode, name).toBe(200);
          expect(res.headers['content-type'], name).toBe(variant.mimetype);
          expectCors(res, `${id} ${name}`);
        }
        const part = await fetchUrl(t, asset_urls.original.url, { origin: PAGE, range: 'bytes=0-99' });
        expect(part.statusCode).toBe(206);
        expect(part.headers['content-range']).toMatch(/^bytes 0-99\/\d+$/);
        expectCors(part, 'range');
        expect(listHeader(part.headers['access-control-expose-headers'])).toEqual(expect.arrayContaining(['content-range', 'content-disposition']));
      }
    });

    it('without EUCALYPT_PUBLIC_URL every URL starts with the origin the request used; X-Forwarded-* is ignored', async () => {
      const headers = { host: 'photos.lan:8123', authorization: `Bearer ${TEST_API_KEY}`, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
      for (const url of ['/api/assets?include=variants', `/api/assets/${ids[0]}?include=variants`, `/api/assets/${ids[1]}`]) {
        const res = await t.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(200);
        const urls = urlsIn(res.json());
        expect(urls.length, url).toBeGreaterThan(0);
        for (const u of urls) expect(u, url).toMatch(/^http:\/\/photos\.lan:8123\/media\//);
      }
      const patched = await t.app.inject({ method: 'PATCH', url: `/api/assets/${ids[0]}`, headers: { ...headers, host: '127.0.0.1:8000' }, payload: { rating: 3 } });
      expect(patched.statusCode).toBe(200);
      const urls = urlsIn(patched.json());
      expect(urls.length).toBeGreaterThanOrEqual(5);
      for (const u of urls) expect(u).toMatch(/^http:\/\/127\.0\.0\.1:8000\/media\//);
      // and such a URL is fetchable as given
      expect((await fetchUrl(t, urls[0]!)).statusCode).toBe(200);
    });

    it('is lean by default: no metadata, file_data or extra rungs without include', async () => {
      const { data } = (await t.api('GET', '/api/assets')).json();
      expect(data).toHaveLength(2);
      for (const a of data) {
        expect(a.metadata).toBeNull();
        expect(a.file_data).toBeNull();
        expect(a.faces).toBeNull();
        expect(Object.keys(a.asset_urls)).toEqual(['thumbnail']);
      }
    });
  });

  describe('EUCALYPT_PUBLIC_URL and full-response mode', () => {
    let t: TestApp;
    let ids: string[];
    beforeAll(async () => {
      t = await createTestApp(dialect, { EUCALYPT_PUBLIC_URL: 'https://photos.example.org', EUCALYPT_FULL_RESPONSES: 'true' });
      ids = await uploadPhotos(t);
    }, 120_000);
    afterAll(async () => {
      await t.close();
    });

    it('every URL in every asset response starts with the public URL, whatever Host the request used', async () => {
      const headers = { host: '10.0.0.5:8000', authorization: `Bearer ${TEST_API_KEY}` };
      const responses = [
        await t.app.inject({ method: 'GET', url: '/api/assets', headers }),
        await t.app.inject({ method: 'GET', url: `/api/assets/${ids[0]}`, headers }),
        await t.app.inject({ method: 'GET', url: `/api/assets?ids=${ids.join(',')}&include=variants`, headers }),
        await t.app.inject({ method: 'PATCH', url: `/api/assets/${ids[1]}`, headers, payload: { description: 'hello' } }),
        await uploadFile(t, mediaFile('gps/spain_madrid_iphone6.jpg')),
      ];
      for (const res of responses) {
        expect(res.statusCode, res.body).toBeLessThan(300);
        const urls = urlsIn(res.json());
        expect(urls.length).toBeGreaterThanOrEqual(5);
        for (const u of urls) expect(u).toMatch(/^https:\/\/photos\.example\.org\/media\//);
      }
      // The proxy in front forwards /media/... unchanged: the signed path still verifies.
      const { asset_urls } = responses[1]!.json();
      expect((await fetchUrl(t, asset_urls.thumbnail.url)).statusCode).toBe(200);
    });

    it('GET /api/assets without include returns metadata, file_data, every rung, faces and people for every asset', async () => {
      const { data } = (await t.api('GET', '/api/assets')).json();
      expect(data.length).toBeGreaterThanOrEqual(2);
      for (const a of data) {
        expect(a.metadata, a.id).not.toBeNull();
        expect(a.metadata.asset_id).toBe(a.id);
        expect(a.metadata.make, a.id).toEqual(expect.any(String));
        expect(a.file_data?.checksum, a.id).toEqual(expect.any(String));
        expect(Object.keys(a.asset_urls)).toEqual(expect.arrayContaining(['thumbnail', 'small', 'preview', 'fullsize', 'original']));
        expect(a.faces).toEqual([]);
        expect(a.people).toEqual([]);
        expect(a.metrics).toBeNull();
      }
      const one = (await t.api('GET', `/api/assets/${ids[0]}`)).json();
      expect(one.metadata?.asset_id).toBe(ids[0]);
      // explicit tokens still add to the legacy default
      expect((await t.api('GET', `/api/assets/${ids[0]}`, { query: { include: 'metrics' } })).json().metrics).toEqual(expect.any(Object));
    });
  });

  describe('a public URL with a path prefix, trusted proxy headers and a list of origins', () => {
    let t: TestApp;
    let ids: string[];
    const ALLOWED = 'https://app.example.org';
    beforeAll(async () => {
      t = await createTestApp(dialect, {
        EUCALYPT_PUBLIC_URL: 'https://example.org/photos/',
        EUCALYPT_CORS_ORIGINS: `${ALLOWED}, http://localhost:5173`,
      });
      ids = await uploadPhotos(t);
    }, 120_000);
    afterAll(async () => {
      await t.close();
    });

    it('builds URLs under the prefix and serves requests with or without it', async () => {
      const viaProxy = await t.app.inject({ method: 'GET', url: `/photos/api/assets/${ids[0]}?include=variants`, headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      expect(viaProxy.statusCode).toBe(200);
      const urls = urlsIn(viaProxy.json());
      expect(urls.length).toBeGreaterThanOrEqual(5);
      for (const u of urls) expect(u).toMatch(/^https:\/\/example\.org\/photos\/media\//);
      const thumb = new URL(viaProxy.json().asset_urls.thumbnail.url);
      expect(thumb.pathname.startsWith('/photos/media/')).toBe(true);
      // a proxy that keeps the prefix, and one that strips it
      expect((await t.app.inject({ method: 'GET', url: thumb.pathname + thumb.search })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: thumb.pathname.slice('/photos'.length) + thumb.search })).statusCode).toBe(200);
      expect((await t.api('GET', '/api/assets')).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/photos/openapi.json' })).statusCode).toBe(200);
      expect((await t.api('GET', '/photos/elsewhere')).statusCode).toBe(404);
    });

    it('serves the web UI under the prefix, its page based there', async () => {
      for (const url of ['/photos', '/photos/', '/']) {
        const page = await t.app.inject({ method: 'GET', url });
        expect(page.statusCode, url).toBe(200);
        expect(page.body, url).toContain('<base href="/photos/">');
      }
      for (const url of ['/photos/app.js', '/photos/app.css', '/photos/thumbhash.js']) expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    });

    it('reflects a listed origin (with Vary: Origin) and gives other origins no access', async () => {
      const auth = { authorization: `Bearer ${TEST_API_KEY}` };
      const allowed = await t.app.inject({ method: 'GET', url: '/api/assets', headers: { ...auth, origin: ALLOWED } });
      expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(listHeader(allowed.headers.vary)).toContain('origin');
      const preflight = await t.app.inject({
        method: 'OPTIONS',
        url: '/photos/api/assets',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const other = await t.app.inject({ method: 'GET', url: '/api/assets', headers: { ...auth, origin: 'https://evil.example' } });
      expect(other.statusCode).toBe(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('behind a trusted proxy, without a public URL', () => {
    let t: TestApp;
    let assetId: string;
    beforeAll(async () => {
      t = await createTestApp(dialect, { EUCALYPT_TRUST_PROXY: 'loopback', EUCALYPT_USER_STORAGE_LIMIT_BYTES: '0' });
      const libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
      [{ id: assetId }] = await seedAssets(t.runtime.deps.db, libraryId, [{}]);
    });
    afterAll(async () => {
      await t.close();
    });

    it('builds URLs on X-Forwarded-Proto/-Host from the trusted proxy', async () => {
      const read = await t.app.inject({
        method: 'GET',
        url: `/api/assets/${assetId}?include=variants`,
        headers: { host: '127.0.0.1:8000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'photos.example.net', authorization: `Bearer ${TEST_API_KEY}` },
      });
      const urls = urlsIn(read.json());
      expect(urls.length).toBeGreaterThanOrEqual(5);
      for (const u of urls) expect(u).toMatch(/^https:\/\/photos\.example\.net\/media\//);
    });

    it('a 507 (storage capped at 0 here) carries the CORS headers', async () => {
      const { payload, contentType } = multipartBody(DEFAULT_FIELDS, { filename: 'a.jpg', content: readFileSync(mediaFile(PHOTOS[0]!)) });
      const res = await t.app.inject({ method: 'POST', url: '/api/assets', payload, headers: { origin: PAGE, 'content-type': contentType, authorization: `Bearer ${TEST_API_KEY}` } });
      expect(res.statusCode).toBe(507);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    it('a 500 carries the CORS headers and no internals', async () => {
      await sql`DROP TABLE events`.execute(t.runtime.deps.db);
      const res = await t.app.inject({ method: 'GET', url: '/api/events', headers: { origin: PAGE, authorization: `Bearer ${TEST_API_KEY}` } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ detail: 'Internal Server Error' });
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });
  });
});
