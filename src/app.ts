import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { assetRoutes } from './http/assets.js';
import { authPlugin } from './http/auth.js';
import { handleError } from './http/errors.js';
import { eventRoutes } from './http/events.js';
import { libraryRoutes } from './http/libraries.js';
import { mediaRoutes } from './http/media.js';
import { openApiRoute, registerOpenApi } from './http/openapi.js';
import { assetSchemas } from './http/schemas/assets.js';
import { sharedSchemas } from './http/schemas/common.js';
import { eventSchemas } from './http/schemas/events.js';
import { librarySchemas } from './http/schemas/libraries.js';
import { searchSchemas } from './http/schemas/search.js';
import { searchRoutes } from './http/search.js';
import { serverRoutes } from './http/server.js';
import { TaskResponse } from './http/schemas/tasks.js';
import { taskRoutes } from './http/tasks.js';
import { userRoutes } from './http/users.js';
import { validatorCompiler } from './http/validation.js';
import type { Deps } from './services/deps.js';
import { VERSION } from './version.js';

/** Builds the HTTP app without listening (tests inject; server.ts listens). */
export async function buildApp(deps: Deps, options: { logger?: FastifyBaseLogger } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Uploads stream through multipart; this caps JSON bodies only (bulk-update, exist with 5000 hashes).
    bodyLimit: 8 * 1024 * 1024,
    requestTimeout: 0,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: 'Not Found' }));

  // Bodiless POSTs (empty-trash) often still say application/json.
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    json(request, text, done);
  });

  for (const schema of [...sharedSchemas, ...assetSchemas, ...librarySchemas, ...eventSchemas, ...searchSchemas, TaskResponse]) app.addSchema(schema);
  await registerOpenApi(app, VERSION);
  await app.register(multipart, { limits: { fileSize: Infinity, files: 2, fields: 50, fieldSize: 1024 * 1024 } });
  await app.register(authPlugin, { deps });

  openApiRoute(app);
  await app.register(serverRoutes, { prefix: '/api/server' });
  await app.register(userRoutes, { prefix: '/api/users', deps });
  await app.register(libraryRoutes, { prefix: '/api/libraries', deps });
  await app.register(assetRoutes, { prefix: '/api/assets', deps });
  await app.register(searchRoutes, { prefix: '/api/search', deps });
  await app.register(eventRoutes, { prefix: '/api/events', deps });
  await app.register(taskRoutes, { prefix: '/api/tasks', deps });
  await app.register(mediaRoutes, { prefix: '/media', deps });
  return app;
}
