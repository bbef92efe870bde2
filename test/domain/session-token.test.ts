import { describe, expect, it } from 'vitest';
import { issueSessionToken, looksLikeJwt, needsRefresh, readSessionToken, REFRESH_AFTER_S, SESSION_TTL_S, sessionKey } from '../../src/domain/session-token.js';

describe('session tokens', () => {
  const key = sessionKey('media-signing-secret');
  const t0 = 1_800_000_000;

  it('reads back the user it was issued for, until it expires', () => {
    const token = issueSessionToken(key, 'intuser_a', t0);
    expect(looksLikeJwt(token)).toBe(true);
    expect(readSessionToken(key, token, t0)).toEqual({ sub: 'intuser_a', iat: t0, exp: t0 + SESSION_TTL_S });
    expect(readSessionToken(key, token, t0 + SESSION_TTL_S - 1)).toMatchObject({ sub: 'intuser_a' });
    expect(readSessionToken(key, token, t0 + SESSION_TTL_S)).toBe('expired');
  });

  it('rejects another key, a changed payload, another algorithm and junk', () => {
    const token = issueSessionToken(key, 'intuser_a', t0);
    expect(readSessionToken(sessionKey('other secret'), token, t0)).toBe('invalid');
    const [header, payload, signature] = token.split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'intuser_b' })).toString('base64url');
    expect(readSessionToken(key, `${header}.${other}.${signature}`, t0)).toBe('invalid');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(readSessionToken(key, `${none}.${payload}.`, t0)).toBe('invalid');
    expect(readSessionToken(key, `${header}.${payload}`, t0)).toBe('invalid');
    expect(readSessionToken(key, 'a.b.c', t0)).toBe('invalid');
  });

  it('is renewed once a day old', () => {
    const claims = { sub: 'intuser_a', iat: t0, exp: t0 + SESSION_TTL_S };
    expect(needsRefresh(claims, t0 + REFRESH_AFTER_S - 1)).toBe(false);
    expect(needsRefresh(claims, t0 + REFRESH_AFTER_S)).toBe(true);
  });

  it('tells session tokens from API keys', () => {
    expect(looksLikeJwt('apikey_abcdefghijklmnop')).toBe(false);
    expect(looksLikeJwt('aaa.bbb.ccc')).toBe(true);
  });
});
