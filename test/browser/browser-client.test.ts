import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/app.js';
import { launchChromium, serveStatic } from '../support/browser.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';

const PAGE_DIR = fileURLToPath(new URL('../../examples/browser-client', import.meta.url));
const PHOTOS = ['gps/finland_oulu_bird.jpg', 'gps/italy_tuscany_DSCN0010.jpg', 'gps/spain_madrid_iphone6.jpg'];

let browser: Browser;
let site: Awaited<ReturnType<typeof serveStatic>>;
beforeAll(async () => {
  site = await serveStatic(PAGE_DIR);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe.each(DIALECTS)('the example browser client against the API on %s', (dialect) => {
  let t: TestApp;
  let apiUrl: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const path of PHOTOS) expect((await uploadFile(t, mediaFile(path), { device_asset_id: path })).statusCode).toBe(201);
    await t.runtime.worker.runUntilIdle();
    const { data } = (await t.api('GET', '/api/assets')).json();
    for (const a of data) expect(a.thumbhash, a.original_file_name).toEqual(expect.any(String));
    apiUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('lists the assets with thumbnails loaded cross-origin, using only a typed API key', async () => {
    expect(new URL(site.url).origin).not.toBe(new URL(apiUrl).origin);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const failures: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') failures.push(m.text());
      });
      page.on('requestfailed', (r) => failures.push(`${r.url()} ${r.failure()?.errorText}`));
      const media: { status: number; allowOrigin: string | undefined }[] = [];
      page.on('response', async (r) => {
        if (new URL(r.url()).pathname.startsWith('/media/')) media.push({ status: r.status(), allowOrigin: (await r.allHeaders())['access-control-allow-origin'] });
      });

      await page.goto(`${site.url}/index.html`);
      await page.fill('#base-url', apiUrl);
      await page.fill('#api-key', TEST_API_KEY);
      await page.click('#load');
      await page.waitForFunction(
        (n) => {
          if (document.querySelector('#status.error')) return true;
          const imgs = [...document.querySelectorAll<HTMLImageElement>('#assets img')];
          return imgs.length === n && imgs.every((img) => img.complete);
        },
        PHOTOS.length,
        { timeout: 30_000 },
      );
      expect(await page.$('#status.error'), `the page reported: ${await page.textContent('#status')}`).toBeNull();
      const images = await page.$$eval('#assets img', (imgs) =>
        (imgs as HTMLImageElement[]).map((img) => ({ alt: img.alt, src: img.currentSrc, width: img.naturalWidth, height: img.naturalHeight, crossOrigin: img.crossOrigin })),
      );
      expect(images.map((i) => i.alt).sort()).toEqual(PHOTOS.map((p) => p.split('/').pop()).sort());
      for (const img of images) {
        expect(img.width, img.alt).toBeGreaterThan(0);
        expect(img.height, img.alt).toBeGreaterThan(0);
        expect(Math.max(img.width, img.height), img.alt).toBeLessThanOrEqual(360);
        expect(img.src.startsWith(`${apiUrl}/media/`), img.src).toBe(true);
        expect(img.crossOrigin).toBe('anonymous');
      }
      expect(await page.textContent('#status')).toBe('3 assets');
      expect(media.length).toBeGreaterThanOrEqual(PHOTOS.length);
      for (const m of media) expect(m).toEqual({ status: 200, allowOrigin: '*' });
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the API\'s 401 detail for a wrong key (error answers are readable cross-origin)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}/index.html`);
      await page.fill('#base-url', apiUrl);
      await page.fill('#api-key', 'apikey_wrong_0123456789abcdef');
      await page.click('#load');
      await page.waitForSelector('#status.error');
      expect(await page.textContent('#status')).toMatch(/^401: /);
      expect(await page.$$('#assets img')).toHaveLength(0);
    } finally {
      await context.close();
    }
  });
});
