import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/** A Host (or trusted X-Forwarded-Host) worth echoing into URLs: a name or address and a port. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Where clients reach this server, as an origin plus an optional path prefix and no trailing
 * slash: `EUCALYPT_PUBLIC_URL` when set, otherwise the scheme and host this request used.
 * Fastify answers `request.protocol`/`request.host` from X-Forwarded-Proto/-Host only when
 * `trustProxy` (EUCALYPT_TRUST_PROXY) trusts the peer, so untrusted clients cannot steer it.
 */
export function publicBase(request: FastifyRequest, config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl) return config.publicUrl;
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  const host = HOST.test(request.host) ? request.host : `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  return `${protocol}://${host}`;
}

/** The top-level paths the app serves (API, media, OpenAPI, the web UI); a public path prefix is stripped only in front of these. */
const SERVED = /^\/(?:api|media)(?:[/?]|$)|^\/(?:openapi\.json|app\.js|app\.css|thumbhash\.js)?(?:\?|$)/;

/** The path prefix of EUCALYPT_PUBLIC_URL without a trailing slash (`/photos`), or `''`. */
export function publicPathPrefix(config: Pick<Config, 'publicUrl'>): string {
  return config.publicUrl ? new URL(config.publicUrl).pathname.replace(/\/+$/, '') : '';
}

/**
 * For Fastify's `rewriteUrl`: when EUCALYPT_PUBLIC_URL has a path prefix (https://example.org/photos),
 * requests arrive either with it (a proxy that forwards the path as is) or without it (a proxy that
 * strips it); both reach the same routes. Other URLs pass unchanged.
 */
export function prefixStripper(config: Pick<Config, 'publicUrl'>): ((url: string) => string) | undefined {
  const prefix = publicPathPrefix(config);
  if (prefix === '') return undefined;
  return (url) => {
    if (!url.startsWith(prefix)) return url;
    // `/photos` alone is the web UI, like `/photos/`.
    const rest = url.slice(prefix.length) || '/';
    return SERVED.test(rest) ? rest : url;
  };
}
