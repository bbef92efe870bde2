import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

/** §1.3: unauthenticated liveness. The SDK reads the body as text, so it is plain `pong`. */
export const serverRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/ping',
    { config: { public: true }, schema: { operationId: 'ping', tags: ['server'], security: [], response: { 200: Type.String() } } },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send('pong'),
  );
};
