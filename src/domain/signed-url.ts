import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Media URLs carry their own authorisation (§3.12): an HMAC over the path and every parameter
 * that shapes the response, plus an expiry. No Authorization header is needed to fetch them.
 */
export interface SignedParams {
  /** Version the bytes belong to; a new rendering gets a new URL, so responses can be cached forever. */
  v: string;
  /** Expiry, Unix seconds. */
  exp: number;
  w?: number | null;
  f?: string;
  dl?: string;
}

function canonical(path: string, p: SignedParams): string {
  return [path, p.v, p.exp, p.w ?? '', p.f ?? '', p.dl ?? ''].join('\n');
}

export function signature(secret: string, path: string, params: SignedParams): string {
  return createHmac('sha256', secret).update(canonical(path, params)).digest('base64url');
}

export function signedQuery(secret: string, path: string, params: SignedParams): string {
  const q = new URLSearchParams({ v: params.v });
  if (params.w != null) q.set('w', String(params.w));
  if (params.f) q.set('f', params.f);
  if (params.dl) q.set('dl', params.dl);
  q.set('exp', String(params.exp));
  q.set('verify', signature(secret, path, params));
  return q.toString();
}

export type Verdict = 'ok' | 'invalid' | 'expired';

export function verify(secret: string, path: string, params: SignedParams, given: string, nowS: number): Verdict {
  const expected = Buffer.from(signature(secret, path, params));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'invalid';
  return params.exp < nowS ? 'expired' : 'ok';
}

/**
 * Expiry rounded up to the hour: every response within an hour hands out the same URL, so
 * browsers and proxies can cache it, and a link stays valid for at least `ttlS` seconds.
 */
export function expiryFor(nowS: number, ttlS: number): number {
  return Math.ceil((nowS + ttlS) / 3600) * 3600;
}
