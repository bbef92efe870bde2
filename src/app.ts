import type { IncomingMessage } from 'node:http';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { albumAssetRoutes } from './http/album-assets.js';
import { albumRoutes } from './http/albums.js';
import { assetVersionRoutes } from './http/asset-versions.js';
import { assetRoutes } from './http/assets.js';
import { authPlugin } from './http/auth.js';
import { corsPlugin } from './http/cors.js';
import { handleError, TooManyRequests } from './http/errors.js';
import { librarySharingRoutes } from './http/first-party.js';
import { apiKeyRoutes } from './http/api-keys.js';
import { trackRouteMethods } from './http/method-not-allowed.js';
import { eventRoutes } from './http/events.js';
import { faceRoutes } from './http/faces.js';
import { libraryRoutes } from './http/libraries.js';
import { mediaRoutes } from './http/media.js';
import { webUiRoutes } from './http/web-ui.js';
import { openApiRoute, registerOpenApi } from './http/openapi.js';
import { prefixStripper } from './http/public-url.js';
import { peopleRoutes } from './http/people.js';
import { albumSchemas } from './http/schemas/albums.js';
import { assetSchemas } from './http/schemas/assets.js';
import { sharedSchemas } from './http/schemas/common.js';
import { eventSchemas } from './http/schemas/events.js';
import { faceSchemas } from './http/schemas/faces.js';
import { librarySchemas } from './http/schemas/libraries.js';
import { versionSchemas } from './http/schemas/asset-versions.js';
import { stackSchemas } from './http/schemas/stacks.js';
import { searchSchemas } from './http/schemas/search.js';
import { searchRoutes } from './http/search.js';
import { serverRoutes } from './http/server.js';
import { stackRoutes } from './http/stacks.js';
import { TaskResponse } from './http/schemas/tasks.js';
import { taskRoutes } from './http/tasks.js';
import { userRoutes } from './http/users.js';
import { oauthRoutes } from './http/oauth.js';
import rateLimit from '@fastify/rate-limit';
import { validatorCompiler } from './http/validation.js';
import type { Deps } from './services/deps.js';
import { VERSION } from './version.js';

/** Builds the HTTP app without listening (tests inject; server.ts listens). */
export async function buildApp(deps: Deps, options: { logger?: FastifyBaseLogger } = {}): Promise<FastifyInstance> {
  const stripPrefix = prefixStripper(deps.config);
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Uploads stream through multipart; this caps JSON bodies only (bulk-update, exist with 5000 hashes).
    bodyLimit: 8 * 1024 * 1024,
    requestTimeout: 0,
    routerOptions: { ignoreTrailingSlash: true },
    // X-Forwarded-* move the public origin (media URLs) only when they come from a trusted proxy.
    trustProxy: deps.config.trustProxy,
    ...(stripPrefix ? { rewriteUrl: (req: IncomingMessage) => stripPrefix(req.url ?? '/') } : {}),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleError);
  const methodsOf = trackRouteMethods(app);
  app.setNotFoundHandler((request, reply) => {
    const allow = methodsOf(request.url);
    if (allow.length > 0) return reply.code(405).header('allow', allow.join(', ')).send({ detail: 'Method Not Allowed' });
    return reply.code(404).send({ detail: 'Not Found' });
  });

  // Bodiless POSTs (empty-trash) often still say application/json.
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    json(request, text, done);
  });

  for (const schema of [...sharedSchemas, ...assetSchemas, ...albumSchemas, ...librarySchemas, ...eventSchemas, ...faceSchemas, ...stackSchemas, ...versionSchemas, ...searchSchemas, TaskResponse]) app.addSchema(schema);
  await registerOpenApi(app, VERSION);
  await app.register(multipart, { limits: { fileSize: Infinity, files: 2, fields: 50, fieldSize: 1024 * 1024 } });
  // CORS before auth: its onRequest hook must set the headers (and answer preflights) first.
  await app.register(corsPlugin, { config: deps.config });
  await app.register(authPlugin, { deps });
  // Only routes that ask for it (the unauthenticated login) are limited.
  await app.register(rateLimit, { global: false, errorResponseBuilder: (_request, context) => new TooManyRequests(`Too many requests: try again in ${context.after}`, Math.ceil(context.ttl / 1000)) });

  openApiRoute(app);
  await app.register(serverRoutes, { prefix: '/api/server' });
  await app.register(userRoutes, { prefix: '/api/users', deps });
  await app.register(oauthRoutes, { prefix: '/api/oauth', deps });
  await app.register(libraryRoutes, { prefix: '/api/libraries', deps });
  await app.register(assetRoutes, { prefix: '/api/assets', deps });
  await app.register(faceRoutes, { prefix: '/api/faces', deps });
  await app.register(peopleRoutes, { prefix: '/api/people', deps });
  await app.register(albumRoutes, { prefix: '/api/albums', deps });
  await app.register(albumAssetRoutes, { prefix: '/api/album-assets', deps });
  await app.register(assetVersionRoutes, { prefix: '/api/assets', deps });
  await app.register(stackRoutes, { prefix: '/api/stacks', deps });
  await app.register(searchRoutes, { prefix: '/api/search', deps });
  await app.register(eventRoutes, { prefix: '/api/events', deps });
  await app.register(taskRoutes, { prefix: '/api/tasks', deps });
  // The spec spells the collection `/api/api-keys/`, with the slash.
  await app.register(apiKeyRoutes, { prefix: '/api', deps });
  await app.register(librarySharingRoutes, { prefix: '/api' });
  await app.register(mediaRoutes, { prefix: '/media', deps });
  await app.register(webUiRoutes, { config: deps.config });
  return app;
}
