import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Principal } from '../services/deps.js';
import { principalOf } from './auth.js';
import { Forbidden } from './errors.js';

/**
 * Gumnut's routes for its first-party session only (§1.0 auth `1st`): API keys get 403 there,
 * which clients may rely on. A session comes from the OpenID Connect login (`/api/oauth/*`);
 * without one the owner manages keys with `eucalypt api-key`.
 */
export function sessionOnly(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.apiKeyId !== null) {
    throw new Forbidden('API keys cannot call this endpoint: it needs a first-party session (log in through /api/oauth/*, or manage keys with `eucalypt api-key`)');
  }
  return principal;
}

/** Library sharing (PY+): Eucalypt has one owner, so there is no one to share with. */
const SHARING_ROUTES: [method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string][] = [
  ['GET', '/libraries/:library_id/members'],
  ['PATCH', '/libraries/:library_id/members/:user_id'],
  ['DELETE', '/libraries/:library_id/members/:user_id'],
  ['POST', '/libraries/:library_id/leave'],
  ['GET', '/libraries/invitations'],
  ['POST', '/libraries/invitations'],
  ['POST', '/libraries/invitations/:invitation_id/disable'],
  ['POST', '/libraries/invitations/:invitation_id/join'],
  ['GET', '/libraries/invitations/:invitation_id/link'],
  ['POST', '/libraries/invitations/:invitation_id/preview'],
];

export const librarySharingRoutes: FastifyPluginAsync = async (app) => {
  for (const [method, url] of SHARING_ROUTES) {
    app.route({
      method,
      url,
      schema: { hide: true },
      handler: async (request) => {
        sessionOnly(request);
        throw new Forbidden('Library sharing is not available: this server has a single owner');
      },
    });
  }
};
