import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The first-party session credential `POST /api/oauth/exchange` hands out (§1.5, §3.1): a JWT
 * (HS256) naming the user, with a sliding refresh — a token older than `REFRESH_AFTER_S` is
 * answered with a fresh one in `x-new-access-token`, so a client in use never sees its session
 * end, and one left alone for `SESSION_TTL_S` has to log in again.
 */
export const SESSION_TTL_S = 7 * 24 * 3600;
export const REFRESH_AFTER_S = 24 * 3600;
const ISSUER = 'eucalypt';

export interface SessionClaims {
  /** The user (`intuser_…`). */
  sub: string;
  iat: number;
  exp: number;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const HEADER = encode({ alg: 'HS256', typ: 'JWT' });
const mac = (secret: string, input: string) => createHmac('sha256', secret).update(input).digest();

/** The key sessions are signed with, derived from the server's signing secret so it needs no storage of its own. */
export const sessionKey = (signingSecret: string) => createHmac('sha256', signingSecret).update('eucalypt session tokens v1').digest('base64url');

export function issueSessionToken(key: string, userId: string, nowS: number): string {
  const payload = encode({ iss: ISSUER, sub: userId, iat: nowS, exp: nowS + SESSION_TTL_S });
  return `${HEADER}.${payload}.${mac(key, `${HEADER}.${payload}`).toString('base64url')}`;
}

/** Whether a bearer credential has the shape of a JWT (three base64url parts), not an API key. */
export const looksLikeJwt = (credential: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential);

export function readSessionToken(key: string, token: string, nowS: number): SessionClaims | 'invalid' | 'expired' {
  const [header, payload, signature] = token.split('.');
  if (header !== HEADER || payload === undefined || signature === undefined) return 'invalid';
  const expected = mac(key, `${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  let claims: Partial<SessionClaims> & { iss?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 'invalid';
  }
  if (claims.iss !== ISSUER || typeof claims.sub !== 'string' || typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return 'invalid';
  if (claims.exp <= nowS) return 'expired';
  return { sub: claims.sub, iat: claims.iat, exp: claims.exp };
}

export const needsRefresh = (claims: SessionClaims, nowS: number) => nowS - claims.iat >= REFRESH_AFTER_S;
