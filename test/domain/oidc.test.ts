import { describe, expect, it } from 'vitest';
import { authorizationUrl, CLOCK_LEEWAY_S, identityFromClaims, s256Challenge } from '../../src/domain/oidc.js';

describe('OpenID Connect rules', () => {
  const expect_ = { issuer: 'https://id.example.org', clientId: 'eucalypt', nonce: 'n-1', nowS: 1_800_000_000 };
  const good = { iss: 'https://id.example.org', aud: 'eucalypt', sub: 'u-1', exp: 1_800_000_300, iat: 1_800_000_000, nonce: 'n-1', email: 'Ada@Example.org', email_verified: true, given_name: 'Ada', family_name: 'Lovelace' };

  it('builds the authorisation URL, keeping the endpoint’s own query', () => {
    const url = new URL(authorizationUrl({ authorizationEndpoint: 'https://id.example.org/auth?tenant=home', clientId: 'eucalypt', redirectUri: 'https://app/cb', scope: 'openid email', state: 's', nonce: 'n', codeChallenge: 'c', codeChallengeMethod: 'S256' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({ tenant: 'home', response_type: 'code', client_id: 'eucalypt', redirect_uri: 'https://app/cb', scope: 'openid email', state: 's', nonce: 'n', code_challenge: 'c', code_challenge_method: 'S256' });
    const plain = new URL(authorizationUrl({ authorizationEndpoint: 'https://id.example.org/auth', clientId: 'e', redirectUri: 'https://app/cb', scope: 'openid', state: 's', nonce: 'n' }));
    expect(plain.searchParams.has('code_challenge')).toBe(false);
    expect(plain.searchParams.has('code_challenge_method')).toBe(false);
  });

  it('computes the RFC 7636 S256 challenge', () => {
    // RFC 7636 Appendix B.
    expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('believes a token that passes every check', () => {
    expect(identityFromClaims(good, expect_)).toEqual({ subject: 'u-1', email: 'ada@example.org', emailVerified: true, firstName: 'Ada', lastName: 'Lovelace' });
    expect(identityFromClaims({ ...good, aud: ['other', 'eucalypt'], azp: 'eucalypt' }, expect_)).toMatchObject({ subject: 'u-1' });
    expect(identityFromClaims({ ...good, email_verified: undefined, email: undefined }, expect_)).toMatchObject({ email: null, emailVerified: false });
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example.org' }, /issued by/],
    ['another audience', { aud: 'other' }, /another client/],
    ['another authorised party', { aud: ['other', 'eucalypt'], azp: 'other' }, /another party/],
    ['an expiry in the past', { exp: 1_800_000_000 - CLOCK_LEEWAY_S }, /expired/],
    ['no expiry', { exp: undefined }, /expired/],
    ['an issue time in the future', { iat: 1_800_000_000 + CLOCK_LEEWAY_S + 1 }, /future/],
    ['another nonce', { nonce: 'n-2' }, /nonce/],
    ['no subject', { sub: '' }, /subject/],
  ])('refuses %s', (_name, change, problem) => {
    const verdict = identityFromClaims({ ...good, ...change }, expect_);
    expect(verdict).toHaveProperty('problem');
    expect((verdict as { problem: string }).problem).toMatch(problem);
  });

  it('tolerates a little clock skew', () => {
    expect(identityFromClaims({ ...good, exp: 1_800_000_000 - CLOCK_LEEWAY_S + 1 }, expect_)).toMatchObject({ subject: 'u-1' });
  });
});
