import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { OidcProvider } from '../oidc/provider.js';
import type { Deps } from '../services/deps.js';
import * as oauth from '../services/oauth.js';
import { NotFound } from './errors.js';
import { Nullable } from './schemas/common.js';

const tags = ['oauth'];
const errors = { 400: Type.Ref('ErrorResponse'), 403: Type.Ref('AuthErrorResponse'), 404: Type.Ref('ErrorResponse'), 422: Type.Ref('HTTPValidationError'), 429: Type.Ref('ErrorResponse'), 503: Type.Ref('ErrorResponse') };

const AuthUrlQuery = Type.Object({
  redirect_uri: Type.String({ description: 'Where the provider sends the browser back to; must be one of EUCALYPT_OIDC_REDIRECT_URIS' }),
  code_challenge: Type.Optional(Type.String({ description: 'PKCE challenge (RFC 7636), passed on to the provider' })),
  code_challenge_method: Type.Optional(Type.String({ description: 'PKCE method, normally S256; required with code_challenge' })),
});

const ExchangeBody = Type.Object({
  code: Type.Optional(Nullable(Type.String())),
  state: Type.Optional(Nullable(Type.String())),
  error: Type.Optional(Nullable(Type.String())),
  code_verifier: Type.Optional(Nullable(Type.String())),
});

const ExchangeResponse = Type.Object(
  {
    access_token: Type.String({ description: 'Session token (JWT) for Authorization: Bearer; renewed through x-new-access-token' }),
    user: Type.Object({
      id: Type.String(),
      clerk_user_id: Nullable(Type.String({ description: "The identity provider's subject (sub) for this user" })),
      email: Nullable(Type.String()),
      first_name: Nullable(Type.String()),
      last_name: Nullable(Type.String()),
      is_active: Type.Boolean(),
      is_verified: Type.Boolean(),
    }),
  },
  { title: 'ExchangeResponse' },
);

/**
 * `/api/oauth/*` (§1.5): the first-party login, unauthenticated by nature. Without an OpenID
 * Connect provider configured the routes exist (and are documented) but answer 404 saying so.
 */
export const oauthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { oidcIssuer: issuer, oidcClientId: clientId, oidcClientSecret: clientSecret } = deps.config;
  const provider = issuer && clientId ? new OidcProvider({ issuer, clientId, clientSecret }) : undefined;
  // Unauthenticated, and auth-url stores a login: each client address gets a budget per minute.
  const config = { public: true, ...(deps.config.loginRateLimit > 0 ? { rateLimit: { max: deps.config.loginRateLimit, timeWindow: 60_000 } } : {}) };
  const configured = (): OidcProvider => {
    if (!provider) throw new NotFound('Login through an identity provider is not configured on this server (set EUCALYPT_OIDC_ISSUER and friends, see the README); use an API key');
    return provider;
  };

  app.get(
    '/auth-url',
    { config, schema: { security: [], operationId: 'oauth_auth_url', tags, querystring: AuthUrlQuery, response: { 200: Type.Object({ url: Type.String() }, { title: 'AuthURLResponse' }), ...errors } } },
    async (request) => ({ url: await oauth.authUrl(deps, configured(), request.query) }),
  );

  app.post(
    '/exchange',
    { config, schema: { security: [], operationId: 'oauth_exchange', tags, body: ExchangeBody, response: { 200: ExchangeResponse, ...errors } } },
    async (request) => {
      const body = Object.fromEntries(Object.entries(request.body).filter(([, v]) => v != null)) as oauth.ExchangeBody;
      return oauth.exchange(deps, configured(), body);
    },
  );

  app.get(
    '/logout-endpoint',
    { config, schema: { security: [], operationId: 'oauth_logout_endpoint', tags, response: { 200: Type.Object({ logout_endpoint: Type.String() }, { title: 'LogoutEndpointResponse' }), ...errors } } },
    async () => ({ logout_endpoint: await oauth.logoutEndpoint(configured()) }),
  );
};
