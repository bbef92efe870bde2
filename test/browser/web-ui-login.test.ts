import net from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { launchChromium } from '../support/browser.js';
import { mediaFile } from '../support/media.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import { uploadFile } from '../support/upload.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

describe('the built-in web UI with an identity provider', () => {
  const provider = new TestOidcProvider();
  let browser: Browser;
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    await provider.start();
    browser = await launchChromium();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    t = await createTestApp('sqlite', {
      EUCALYPT_OIDC_ISSUER: provider.issuer,
      EUCALYPT_OIDC_CLIENT_ID: provider.clientId,
      EUCALYPT_OIDC_CLIENT_SECRET: provider.clientSecret,
      EUCALYPT_OIDC_REDIRECT_URIS: url,
      EUCALYPT_OIDC_OWNER_EMAIL: 'owner@example.org',
    });
    expect((await uploadFile(t, mediaFile('gps/spain_madrid_iphone6.jpg'))).statusCode).toBe(201);
    await t.app.listen({ host: '127.0.0.1', port });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await provider.close();
  });

  it('logs the owner in through the provider with PKCE, opens the library, and signs out at both ends', async () => {
    provider.signIn = { sub: 'owner-subject', email: 'owner@example.org' };
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#sso:not([hidden])');
    await page.click('#sso');
    await page.waitForSelector('#signout:not([hidden])', { timeout: 30_000 });
    expect(page.url()).toBe(url);
    expect(await page.textContent('#status')).toContain('1 items');
    const token = await page.evaluate(() => localStorage.getItem('eucalypt.apiKey'));
    expect(token?.split('.')).toHaveLength(3);
    expect(provider.tokenRequests.at(-1)?.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    expect(errors).toEqual([]);

    // Signing out forgets the token and ends the session at the provider as well.
    await page.click('#signout');
    await page.waitForSelector('#provider-logged-out', { timeout: 30_000 });
    expect(page.url()).toBe(`${provider.issuer}/logout`);
    await page.goto(url);
    expect(await page.evaluate(() => localStorage.getItem('eucalypt.apiKey'))).toBeNull();
  }, 120_000);

  it('says why when the provider signs in someone else', async () => {
    provider.signIn = { sub: 'guest', email: 'guest@example.org' };
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    await page.waitForSelector('#sso:not([hidden])');
    await page.click('#sso');
    await page.waitForFunction(() => document.querySelector('#signin-error')?.textContent !== '', null, { timeout: 30_000 });
    expect(await page.textContent('#signin-error')).toMatch(/guest@example.org is not this server's owner/);
    expect(await page.isHidden('#signout')).toBe(true);
  }, 120_000);
});
