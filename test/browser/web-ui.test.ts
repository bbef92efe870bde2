import net from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/app.js';
import { launchChromium } from '../support/browser.js';
import { mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';

const PHOTOS = ['gps/finland_oulu_bird.jpg', 'gps/spain_madrid_iphone6.jpg', 'video/hamilton_clip_faces.mp4'];

describe('the built-in web UI', () => {
  let browser: Browser;
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    browser = await launchChromium();
    t = await createTestApp('sqlite');
    for (const path of PHOTOS) expect((await uploadFile(t, mediaFile(path))).statusCode).toBe(201);
    await t.runtime.worker.runUntilIdle();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Signs in at `url`, waits for every thumbnail, opens the Madrid photo. */
  async function browse(url: string) {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    // No identity provider here: only the API-key form.
    await page.waitForLoadState('networkidle');
    expect(await page.isHidden('#sso')).toBe(true);
    await page.fill('#key', 'apikey_wrong_0123456789abcdef');
    await page.click('#signin button');
    await page.waitForFunction(() => document.querySelector('#signin-error')?.textContent !== '');
    expect(await page.textContent('#signin-error')).toMatch(/Invalid|expired/);

    await page.fill('#key', TEST_API_KEY);
    await page.click('#signin button');
    await page.waitForFunction((n) => [...document.querySelectorAll('.tile img')].filter((i) => (i as HTMLImageElement).naturalWidth > 0).length === n, PHOTOS.length, { timeout: 30_000 });
    expect(await page.textContent('#status')).toContain('3 items');
    expect(await page.locator('.tile .badge').count()).toBe(1); // the video

    await page.locator('.tile[title="spain_madrid_iphone6.jpg"]').click();
    await page.waitForFunction(() => (document.querySelector('#viewer-img') as HTMLImageElement).naturalWidth > 0);
    expect(await page.textContent('#viewer-caption')).toContain('Madrid');
    expect(errors).toEqual([]);
  }

  it('signs in with an API key, shows the library with thumbnails and opens a photo', async () => {
    await browse(url);
  }, 120_000);

  it('works the same under a public URL with a path prefix', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const prefixed = await createTestApp('sqlite', { EUCALYPT_PUBLIC_URL: `http://127.0.0.1:${port}/photos` });
    try {
      for (const path of PHOTOS) expect((await uploadFile(prefixed, mediaFile(path))).statusCode).toBe(201);
      await prefixed.runtime.worker.runUntilIdle();
      await prefixed.app.listen({ host: '127.0.0.1', port });
      await browse(`http://127.0.0.1:${port}/photos`);
    } finally {
      await prefixed.close();
    }
  }, 120_000);
});
