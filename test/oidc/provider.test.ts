import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OidcError, OidcProvider } from '../../src/oidc/provider.js';
import { TestOidcProvider } from '../support/oidc-provider.js';

describe('the OpenID Connect provider adapter, against a real local provider', () => {
  const idp = new TestOidcProvider();
  beforeAll(async () => {
    await idp.start();
  });
  afterAll(async () => idp.close());
  afterEach(() => vi.useRealTimers());

  const adapter = (settings: Partial<ConstructorParameters<typeof OidcProvider>[0]> = {}) => new OidcProvider({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, ...settings });
  const codeFor = async (provider: OidcProvider) => idp.authorize(`${(await provider.metadata()).authorization_endpoint}?response_type=code&client_id=${idp.clientId}&redirect_uri=https://app/cb&state=s&nonce=n`, { sub: 'u', email: 'u@example.org' }).code;
  const failure = async (promise: Promise<unknown>) => {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OidcError);
    return err as OidcError;
  };

  it('trades a code for an ID token whose signature it checks', async () => {
    const provider = adapter();
    const claims = await provider.verifiedClaims(await provider.exchangeCode(await codeFor(provider), 'https://app/cb', undefined));
    expect(claims).toMatchObject({ iss: idp.issuer, aud: idp.clientId, sub: 'u', nonce: 'n' });
  });

  it('posts the client secret in the form when the provider accepts only that', async () => {
    idp.clientAuth = 'client_secret_post';
    try {
      const provider = adapter();
      expect(await provider.verifiedClaims(await provider.exchangeCode(await codeFor(provider), 'https://app/cb', undefined))).toMatchObject({ sub: 'u' });
      expect(idp.tokenRequests.at(-1)?.get('client_secret')).toBe(idp.clientSecret);
    } finally {
      idp.clientAuth = 'client_secret_basic';
    }
  });

  it('sends only its client id as a public client', async () => {
    idp.clientAuth = 'none';
    try {
      const provider = adapter({ clientSecret: undefined });
      expect(await provider.verifiedClaims(await provider.exchangeCode(await codeFor(provider), 'https://app/cb', 'a-verifier'))).toMatchObject({ sub: 'u' });
      expect(Object.fromEntries(idp.tokenRequests.at(-1)!)).toMatchObject({ client_id: idp.clientId, code_verifier: 'a-verifier' });
    } finally {
      idp.clientAuth = 'client_secret_basic';
    }
  });

  it('says the server is misconfigured when the provider refuses its client credentials', async () => {
    const provider = adapter({ clientSecret: 'wrong' });
    const err = await failure(provider.exchangeCode(await codeFor(provider), 'https://app/cb', undefined));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/EUCALYPT_OIDC_CLIENT_SECRET/);
  });

  it('refuses a discovery document for another issuer, and an unreachable provider', async () => {
    // Discovery finds the document, but it names the issuer without the slash: not the one configured.
    const other = await failure(adapter({ issuer: `${idp.issuer}/` }).metadata());
    expect(other.kind).toBe('unavailable');
    expect(other.message).toMatch(/is for issuer/);
    const down = await failure(adapter({ issuer: 'http://127.0.0.1:9/realms/none' }).metadata());
    expect(down.message).toMatch(/could not be reached/);
  });

  it('finds a rotated key by fetching the key set again, but not on every unknown key id', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const provider = adapter();
    await provider.verifiedClaims(await provider.exchangeCode(await codeFor(provider), 'https://app/cb', undefined));
    idp.rotateKey();
    const rotated = await provider.exchangeCode(await codeFor(provider), 'https://app/cb', undefined);
    // Within a minute of the last fetch the new key is not looked for…
    expect((await failure(provider.verifiedClaims(rotated))).message).toMatch(/does not publish/);
    // …after it, one fetch finds it.
    vi.setSystemTime(Date.now() + 61_000);
    expect(await provider.verifiedClaims(rotated)).toMatchObject({ sub: 'u' });
  });
});
