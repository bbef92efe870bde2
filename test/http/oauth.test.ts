import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSessionsCommand } from '../../src/commands/sessions.js';
import { s256Challenge } from '../../src/domain/oidc.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { type Person, TestOidcProvider } from '../support/oidc-provider.js';

const REDIRECT = 'https://app.example.org/auth/callback';
const OWNER: Person = { sub: 'owner-subject', email: 'owner@example.org', given_name: 'Ada', family_name: 'Lovelace' };

describe.each(DIALECTS)('first-party login through OpenID Connect on %s', (dialect) => {
  const provider = new TestOidcProvider();
  let t: TestApp;
  let ownerId: string;

  beforeAll(async () => {
    await provider.start();
    t = await createTestApp(dialect, {
      EUCALYPT_OIDC_ISSUER: provider.issuer,
      EUCALYPT_OIDC_CLIENT_ID: provider.clientId,
      EUCALYPT_OIDC_CLIENT_SECRET: provider.clientSecret,
      EUCALYPT_OIDC_REDIRECT_URIS: `http://localhost:3000/cb, ${REDIRECT}`,
      EUCALYPT_OIDC_OWNER_EMAIL: 'Owner@Example.org',
      // These tests log in dozens of times a minute from one address.
      EUCALYPT_LOGIN_RATE_LIMIT: '0',
    });
    provider.now = () => t.clock.now().getTime();
    ownerId = (await t.api('GET', '/api/users/me')).json().id;
  });
  afterAll(async () => {
    await t?.close();
    await provider.close();
  });

  const authUrl = async (query: Record<string, string> = { redirect_uri: REDIRECT }) => t.api('GET', '/api/oauth/auth-url', { query, key: null });
  const exchange = (body: Record<string, unknown>) => t.api('POST', '/api/oauth/exchange', { body, key: null });

  /** The whole dance: auth-url, the user at the provider, the browser back with code and state. */
  async function login(person: Person = OWNER) {
    const verifier = randomBytes(32).toString('base64url');
    const res = await authUrl({ redirect_uri: REDIRECT, code_challenge: s256Challenge(verifier), code_challenge_method: 'S256' });
    expect(res.statusCode).toBe(200);
    const { code, state } = provider.authorize(res.json().url, person);
    return { code, state, verifier, response: await exchange({ code, state, code_verifier: verifier }) };
  }

  it('logs the owner in with a session token that acts as the owner', async () => {
    const res = await authUrl({ redirect_uri: REDIRECT, code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' });
    expect(res.statusCode).toBe(200);
    const url = new URL(res.json().url);
    expect(`${url.origin}${url.pathname}`).toBe(`${provider.issuer}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ response_type: 'code', client_id: provider.clientId, redirect_uri: REDIRECT, scope: 'openid email profile', code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' });
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{32}$/);

    const { verifier, response } = await login();
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toEqual({ id: ownerId, clerk_user_id: 'owner-subject', email: 'owner@example.org', first_name: 'Ada', last_name: 'Lovelace', is_active: true, is_verified: true });
    expect(body.access_token.split('.')).toHaveLength(3);
    // The provider got the PKCE verifier and the redirect URI of this login, with the client's credentials.
    expect(Object.fromEntries(provider.tokenRequests.at(-1)!)).toMatchObject({ grant_type: 'authorization_code', redirect_uri: REDIRECT, code_verifier: verifier });

    const me = await t.api('GET', '/api/users/me', { key: body.access_token });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: ownerId, email: 'owner@example.org', first_name: 'Ada', last_name: 'Lovelace' });
    expect(me.headers['x-new-access-token']).toBeUndefined();
    const libraries = await t.api('GET', '/api/libraries', { key: body.access_token });
    expect(libraries.statusCode).toBe(200);
    expect(libraries.json().length).toBeGreaterThan(0);
  });

  it('accepts a state once, and only while the login is fresh', async () => {
    const { code, state, verifier, response } = await login();
    expect(response.statusCode).toBe(200);
    const replay = await exchange({ code, state, code_verifier: verifier });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().detail).toMatch(/already used/);
    expect((await exchange({ code: 'x', state: 'never-issued' })).statusCode).toBe(400);
    expect((await exchange({ code: 'x' })).statusCode).toBe(400);

    const res = await authUrl();
    const late = provider.authorize(res.json().url, OWNER);
    t.clock.advance(11 * 60_000);
    expect((await exchange({ code: late.code, state: late.state })).statusCode).toBe(400);
  });

  it("passes on the provider's refusal as a 400 and its absence as a 503", async () => {
    const first = provider.authorize((await authUrl()).json().url, OWNER);
    const refused = await exchange({ state: first.state, error: 'access_denied' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toContain('access_denied');

    const verifier = randomBytes(32).toString('base64url');
    const res = await authUrl({ redirect_uri: REDIRECT, code_challenge: s256Challenge(verifier), code_challenge_method: 'S256' });
    const grant = provider.authorize(res.json().url, OWNER);
    const wrongVerifier = await exchange({ code: grant.code, state: grant.state, code_verifier: `${verifier}x` });
    expect(wrongVerifier.statusCode).toBe(400);
    expect(wrongVerifier.json().detail).toMatch(/PKCE/);

    const down = provider.authorize((await authUrl()).json().url, OWNER);
    provider.misbehave = 'down';
    try {
      const unavailable = await exchange({ code: down.code, state: down.state });
      expect(unavailable.statusCode).toBe(503);
      expect(unavailable.headers['retry-after']).toBeDefined();
    } finally {
      provider.misbehave = 'none';
    }
  });

  it.each([
    ['foreign-key', /signature/],
    ['wrong-nonce', /nonce/],
    ['wrong-audience', /another client/],
    ['expired', /expired/],
  ] as const)('does not trust an ID token with a %s', async (misbehaviour, reason) => {
    const grant = provider.authorize((await authUrl()).json().url, OWNER);
    provider.misbehave = misbehaviour;
    try {
      const res = await exchange({ code: grant.code, state: grant.state });
      expect(res.statusCode).toBe(400);
      expect(res.json().detail).toMatch(reason);
    } finally {
      provider.misbehave = 'none';
    }
  });

  it('admits only the owner, with an address the provider verified', async () => {
    const stranger = await login({ sub: 'someone', email: 'someone@example.org' });
    expect(stranger.response.statusCode).toBe(403);
    expect(stranger.response.json().detail).toMatch(/someone@example.org is not this server's owner/);
    const unverified = await login({ ...OWNER, email_verified: false });
    expect(unverified.response.statusCode).toBe(403);
    expect(unverified.response.json().detail).toMatch(/not verified/);
  });

  it('checks the redirect URI and the PKCE method', async () => {
    const elsewhere = await authUrl({ redirect_uri: 'https://evil.example.com/cb' });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().detail).toMatch(/not registered/);
    expect((await authUrl({})).statusCode).toBe(422);
    expect((await authUrl({ redirect_uri: REDIRECT, code_challenge: 'abc' })).statusCode).toBe(400);
  });

  it('renews an ageing session and ends an expired or forged one', async () => {
    const token: string = (await login()).response.json().access_token;
    t.clock.advance(25 * 3600_000);
    const aged = await t.api('GET', '/api/users/me', { key: token });
    expect(aged.statusCode).toBe(200);
    const renewed = aged.headers['x-new-access-token'] as string;
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(token);
    const fresh = await t.api('GET', '/api/users/me', { key: renewed });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers['x-new-access-token']).toBeUndefined();

    // Seven days after its issue the first token is over; the renewed one still works.
    t.clock.advance(6.5 * 24 * 3600_000);
    expect((await t.api('GET', '/api/users/me', { key: token })).statusCode).toBe(401);
    expect((await t.api('GET', '/api/users/me', { key: renewed })).statusCode).toBe(200);

    const [header, payload, signature] = renewed.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'intuser_someone_else' })).toString('base64url')}.${signature}`;
    expect((await t.api('GET', '/api/users/me', { key: forged })).statusCode).toBe(401);
    expect((await t.api('GET', '/api/users/me')).statusCode).toBe(200);
  });

  it('ends every session with `eucalypt sessions revoke`, and leaves API keys alone', async () => {
    const before: string = (await login()).response.json().access_token;
    expect((await t.api('GET', '/api/users/me', { key: before })).statusCode).toBe(200);
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } };
    expect(await runSessionsCommand(['revoke'], t.config, io, t.clock.now)).toBe(0);
    expect(stderr).toMatch(/revoked/);
    expect((await t.api('GET', '/api/users/me', { key: before })).statusCode).toBe(401);
    expect((await t.api('GET', '/api/users/me')).statusCode).toBe(200);
    // A login after the revocation works (its token is issued in a later second).
    t.clock.advance(1000);
    const after: string = (await login()).response.json().access_token;
    expect((await t.api('GET', '/api/users/me', { key: after })).statusCode).toBe(200);
    expect(await runSessionsCommand(['nonsense'], t.config, io)).toBe(2);
  });

  it('lets an inactive owner log in, and refuses the calls that follow', async () => {
    const db = t.runtime.deps.db;
    await db.updateTable('users').set({ is_active: 0 }).where('id', '=', ownerId).execute();
    try {
      const { response } = await login();
      expect(response.statusCode).toBe(200);
      expect(response.json().user.is_active).toBe(false);
      expect((await t.api('GET', '/api/users/me', { key: response.json().access_token })).statusCode).toBe(401);
    } finally {
      await db.updateTable('users').set({ is_active: 1 }).where('id', '=', ownerId).execute();
    }
  });

  it("manages the owner's API keys from a session, and only from one", async () => {
    const session: string = (await login()).response.json().access_token;
    const as = (method: string, url: string, body?: unknown) => t.api(method, url, { key: session, body });
    const library = (await as('GET', '/api/libraries')).json()[0].id as string;

    const made = await as('POST', '/api/api-keys/', { name: ' importer ', actions: ['write', 'read'], library_scope_mode: 'selected_libraries', library_ids: [library, library] });
    expect(made.statusCode).toBe(200);
    const key = made.json();
    expect(key).toMatchObject({ name: 'importer', is_active: true, actions: ['read', 'write'], library_scope_mode: 'selected_libraries', selected_library_count: 1, last_used_at: null });
    expect(key.api_key).toMatch(/^apikey_/);
    expect((await t.api('GET', `/api/libraries/${library}`, { key: key.api_key })).statusCode).toBe(200);
    // The new key is an API key: it may not manage keys itself.
    expect((await t.api('GET', '/api/api-keys/', { key: key.api_key })).statusCode).toBe(403);

    const listed = (await as('GET', '/api/api-keys')).json() as { id: string; api_key?: string; last_used_at: string | null }[];
    const mine = listed.find((k) => k.id === key.id)!;
    expect(mine.api_key).toBeUndefined();
    expect(mine.last_used_at).not.toBeNull();

    const renamed = await as('PATCH', `/api/api-keys/${key.id}`, { name: 'photo importer' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: key.id, name: 'photo importer' });
    expect((await as('DELETE', `/api/api-keys/${key.id}`)).json()).toEqual({});
    expect((await as('GET', '/api/api-keys/')).json().find((k: { id: string }) => k.id === key.id)).toMatchObject({ is_active: false });
    expect((await t.api('GET', '/api/libraries', { key: key.api_key })).statusCode).toBe(401);

    for (const body of [
      { name: 'x', actions: ['write'], library_scope_mode: 'all_libraries' },
      { name: 'x', actions: ['read', 'fly'], library_scope_mode: 'all_libraries' },
      { name: 'x', actions: ['read'], library_scope_mode: 'selected_libraries' },
      { name: 'x', actions: ['read'], library_scope_mode: 'all_libraries', library_ids: [library] },
      { name: 'x', actions: ['read'], library_scope_mode: 'selected_libraries', library_ids: ['lib_not_mine'] },
      { name: '  ', actions: ['read'], library_scope_mode: 'all_libraries' },
      { actions: ['read'], library_scope_mode: 'all_libraries' },
    ]) {
      expect((await as('POST', '/api/api-keys/', body)).statusCode, JSON.stringify(body)).toBe(422);
    }
    expect((await as('PATCH', '/api/api-keys/apikey_unknown', { name: 'y' })).statusCode).toBe(404);
    expect((await as('DELETE', '/api/api-keys/apikey_unknown')).statusCode).toBe(404);
    const sharing = await as('GET', `/api/libraries/${library}/members`);
    expect(sharing.statusCode).toBe(403);
    expect(sharing.json().detail).toMatch(/single owner/);
  });

  it("names the provider's logout endpoint", async () => {
    const res = await t.api('GET', '/api/oauth/logout-endpoint', { key: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ logout_endpoint: `${provider.issuer}/logout` });
  });
});

describe('first-party login when no identity provider is configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { EUCALYPT_LOGIN_RATE_LIMIT: '4' });
  });
  afterAll(async () => t?.close());

  it('answers 404 saying how to turn it on, and documents the routes', async () => {
    for (const [method, url] of [['GET', '/api/oauth/auth-url?redirect_uri=https://a.example/cb'], ['POST', '/api/oauth/exchange'], ['GET', '/api/oauth/logout-endpoint']]) {
      const res = await t.api(method, url, { key: null, body: method === 'POST' ? { code: 'x', state: 'y' } : undefined });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().detail).toMatch(/EUCALYPT_OIDC_ISSUER/);
    }
    const paths = (await t.api('GET', '/openapi.json', { key: null })).json().paths;
    expect(paths['/api/oauth/auth-url'].get.operationId).toBe('oauth_auth_url');
    expect(paths['/api/oauth/exchange'].post.operationId).toBe('oauth_exchange');
    expect(paths['/api/oauth/exchange'].post.security).toEqual([]);
  });

  it('limits login requests per client address, with Retry-After, and nothing else', async () => {
    const authUrl = () => t.api('GET', '/api/oauth/auth-url?redirect_uri=https://a.example/cb', { key: null });
    // The test above asked once; three more and this address has used its four a minute.
    for (let i = 0; i < 3; i++) expect((await authUrl()).statusCode).toBe(404);
    const limited = await authUrl();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().detail).toMatch(/Too many requests: try again in/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('4');
    const elsewhere = await t.app.inject({ method: 'GET', url: '/api/oauth/auth-url?redirect_uri=https://a.example/cb', remoteAddress: '10.1.2.3' });
    expect(elsewhere.statusCode).toBe(404);
    expect((await t.api('GET', '/api/users/me')).statusCode).toBe(200);
    expect((await t.api('GET', '/api/server/ping', { key: null })).statusCode).toBe(200);
  });
});
