import type { FastifyPluginAsync } from 'fastify';
import { Forbidden } from './errors.js';

/**
 * Gumnut's routes for its first-party web session only (§1.0 auth `1st`: API-key management
 * §1.6, library sharing): API keys and delegated tokens get 403 there, which clients may rely
 * on. Eucalypt has no such session, so every credential that gets past authentication is refused
 * here; the owner manages keys with `eucalypt api-key`.
 */
const FIRST_PARTY_ROUTES: [method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string][] = [
  ['GET', '/api-keys'],
  ['POST', '/api-keys'],
  ['PATCH', '/api-keys/:key_id'],
  ['DELETE', '/api-keys/:key_id'],
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

export const firstPartyRoutes: FastifyPluginAsync = async (app) => {
  for (const [method, url] of FIRST_PARTY_ROUTES) {
    app.route({
      method,
      url,
      schema: { hide: true },
      handler: async () => {
        throw new Forbidden('API keys cannot call this endpoint: it needs a first-party session, which this server does not have (manage keys with `eucalypt api-key`)');
      },
    });
  }
};
