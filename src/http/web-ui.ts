import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';

const WEB_DIR = new URL('../../web/', import.meta.url);

/** The built-in browser UI: static files, no build step; it talks to the public API only. */
const FILES: Record<string, { path: URL | string; type: string }> = {
  '/': { path: new URL('index.html', WEB_DIR), type: 'text/html; charset=utf-8' },
  '/app.js': { path: new URL('app.js', WEB_DIR), type: 'text/javascript; charset=utf-8' },
  '/app.css': { path: new URL('app.css', WEB_DIR), type: 'text/css; charset=utf-8' },
  // The same ThumbHash decoder the server encodes with, as the browser's placeholder renderer.
  '/thumbhash.js': { path: createRequire(import.meta.url).resolve('thumbhash'), type: 'text/javascript; charset=utf-8' },
};

export const webUiRoutes: FastifyPluginAsync = async (app) => {
  for (const [url, file] of Object.entries(FILES)) {
    app.get(url, { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
      reply.type(file.type).header('cache-control', 'no-cache').send(await fsp.readFile(file.path)),
    );
  }
};
