import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import * as apiKeys from '../services/api-keys.js';
import type { Deps, Principal } from '../services/deps.js';
import { Unauthorized } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without credentials (ping, the OpenAPI document). */
    public?: boolean;
  }
}

/** The caller of an authenticated route; the auth hook guarantees it is set. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized('Not authenticated');
  return request.principal;
}

/**
 * `Authorization: Bearer <api key>` on every route not marked public (§3.1). A path no route
 * serves answers 404 whoever asks, as FastAPI routes before it authenticates.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { deps: Pick<Deps, 'db'> }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      if (request.is404 || request.routeOptions.config?.public) return;
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) throw new Unauthorized('Not authenticated: send Authorization: Bearer <API key>');
      const principal = await apiKeys.authenticate(opts.deps, match[1]);
      if (!principal) throw new Unauthorized();
      request.principal = principal;
    });
  },
  { name: 'eucalypt-auth', fastify: '5.x' },
);
