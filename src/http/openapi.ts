import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/**
 * Registers @fastify/swagger; must run before any route, as its onRoute hook only sees routes
 * added later. Shared schemas keep their `$id` as the component name (the spec's names).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Eucalypt (Gumnut API)', description: 'Self-hosted, Gumnut-compatible photos and videos API', version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key (apikey_…), or a session token (JWT) from POST /api/oauth/exchange' } } },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
}

export function openApiRoute(app: FastifyInstance): void {
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
