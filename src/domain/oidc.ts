import { createHash } from 'node:crypto';

/**
 * OpenID Connect rules for the first-party login (§1.5): what the authorisation request carries,
 * and when an ID token's claims may be believed (OpenID Connect Core §3.1.3.7). The signature is
 * the adapter's business (oidc/provider.ts); these rules need no I/O.
 */

/** How long a login may take between `auth-url` and `exchange`. */
export const LOGIN_STATE_TTL_S = 10 * 60;
/** Clock skew tolerated between this server and the identity provider. */
export const CLOCK_LEEWAY_S = 120;

export interface AuthorizationRequest {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

export function authorizationUrl(r: AuthorizationRequest): string {
  const url = new URL(r.authorizationEndpoint);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    scope: r.scope,
    state: r.state,
    nonce: r.nonce,
    code_challenge: r.codeChallenge,
    code_challenge_method: r.codeChallenge ? r.codeChallengeMethod : undefined,
  };
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** RFC 7636: the S256 challenge of a verifier. */
export const s256Challenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  nonce: string;
  nowS: number;
}

/** Who logged in, from a verified ID token. */
export interface Identity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The identity in an ID token's claims, or why they cannot be believed. */
export function identityFromClaims(claims: Record<string, unknown>, expect: IdTokenExpectations): Identity | { problem: string } {
  if (claims.iss !== expect.issuer) return { problem: `the ID token was issued by ${JSON.stringify(claims.iss)}, not ${expect.issuer}` };
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(expect.clientId)) return { problem: 'the ID token is meant for another client' };
  if (audience.length > 1 && claims.azp !== undefined && claims.azp !== expect.clientId) return { problem: 'the ID token was issued to another party' };
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_LEEWAY_S <= expect.nowS) return { problem: 'the ID token has expired' };
  if (typeof claims.iat === 'number' && claims.iat - CLOCK_LEEWAY_S > expect.nowS) return { problem: 'the ID token was issued in the future' };
  if (claims.nonce !== expect.nonce) return { problem: 'the ID token does not belong to this login (nonce mismatch)' };
  const subject = text(claims.sub);
  if (!subject) return { problem: 'the ID token names no subject' };
  return {
    subject,
    email: text(claims.email)?.toLowerCase() ?? null,
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    firstName: text(claims.given_name),
    lastName: text(claims.family_name),
  };
}
