import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { publicPathPrefix } from './public-url.js';

const WEB_DIR = new URL('../../web/', import.meta.url);

/**
 * The built-in browser UI: static files, no build step; it talks to the public API only. Its
 * links are relative to the page's `<base>`, which names the public path prefix, so the UI works
 * behind a proxy that serves Eucalypt under a path (EUCALYPT_PUBLIC_URL=https://host/photos).
 */
const FILES: Record<string, { path: URL | string; type: string }> = {
  '/': { path: new URL('index.html', WEB_DIR), type: 'text/html; charset=utf-8' },
  '/app.js': { path: new URL('app.js', WEB_DIR), type: 'text/javascript; charset=utf-8' },
  '/app.css': { path: new URL('app.css', WEB_DIR), type: 'text/css; charset=utf-8' },
  // The same ThumbHash decoder the server encodes with, as the browser's placeholder renderer.
  '/thumbhash.js': { path: createRequire(import.meta.url).resolve('thumbhash'), type: 'text/javascript; charset=utf-8' },
};

export const webUiRoutes: FastifyPluginAsync<{ config: Pick<Config, 'publicUrl'> }> = async (app, { config }) => {
  const base = `<base href="${publicPathPrefix(config)}/">`;
  for (const [url, file] of Object.entries(FILES)) {
    app.get(url, { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
      const body = await fsp.readFile(file.path);
      return reply
        .type(file.type)
        .header('cache-control', 'no-cache')
        .send(url === '/' ? body.toString('utf8').replace('<base href="/">', base) : body);
    });
  }
};
