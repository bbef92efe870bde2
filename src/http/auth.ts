import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Action, defaultAction } from '../domain/api-key-grants.js';
import { looksLikeJwt } from '../domain/session-token.js';
import * as apiKeys from '../services/api-keys.js';
import type { Deps, Principal } from '../services/deps.js';
import * as sessions from '../services/sessions.js';
import { Forbidden, Unauthorized } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without credentials (ping, the OpenAPI document). */
    public?: boolean;
    /** The API-key action the route needs when its HTTP method alone would say otherwise. */
    action?: Action;
  }
}

/** The caller of an authenticated route; the auth hook guarantees it is set. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized('Not authenticated');
  return request.principal;
}

/**
 * `Authorization: Bearer <credential>` on every route not marked public (§3.1): an API key, or
 * a first-party session token from `/api/oauth/exchange`, renewed on the way out through
 * `x-new-access-token` once it has aged. Then the grant: 403 when it lacks the route's action
 * (domain/api-key-grants.ts). A path no route serves answers 404 whoever asks, as FastAPI
 * routes before it authenticates.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { deps: Pick<Deps, 'db' | 'clock' | 'signingSecret'> }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request, reply) => {
      if (request.is404 || request.routeOptions.config?.public) return;
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) throw new Unauthorized('Not authenticated: send Authorization: Bearer <API key>');
      let principal: Principal | undefined;
      if (looksLikeJwt(match[1])) {
        const session = await sessions.authenticate(opts.deps, match[1]);
        if (session?.refreshed) reply.header('x-new-access-token', session.refreshed);
        principal = session?.principal;
      } else {
        principal = await apiKeys.authenticate(opts.deps, match[1]);
      }
      if (!principal) throw new Unauthorized();
      const action = request.routeOptions.config?.action ?? defaultAction(request.method);
      if (!principal.actions.has(action)) throw new Forbidden(`This API key does not grant the "${action}" action`);
      request.principal = principal;
    });
  },
  { name: 'eucalypt-auth', fastify: '5.x' },
);
