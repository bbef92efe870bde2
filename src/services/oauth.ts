import { randomBytes } from 'node:crypto';
import { authorizationUrl, identityFromClaims, LOGIN_STATE_TTL_S } from '../domain/oidc.js';
import { BadRequest, Forbidden, NotFound, Unavailable } from '../http/errors.js';
import { OidcError, type OidcProvider } from '../oidc/provider.js';
import * as loginStates from '../store/login-states.js';
import * as userStore from '../store/users.js';
import { type Deps, nowText } from './deps.js';
import * as sessions from './sessions.js';

/**
 * The first-party login of §1.5 against the configured OpenID Connect provider. Eucalypt has
 * one owner, so the one identity that may log in is the owner's (EUCALYPT_OIDC_OWNER_EMAIL,
 * verified by the provider); the session token it gets acts as the owner with every action.
 */

export interface AuthUrlQuery {
  redirect_uri: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

export interface ExchangeBody {
  code?: string;
  state?: string;
  error?: string;
  code_verifier?: string;
}

/** The provider's failure as the client's: its refusal is the client's 400, its absence a 503. */
async function asking<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof OidcError)) throw err;
    throw err.kind === 'rejected' ? new BadRequest(err.message) : new Unavailable(err.message);
  }
}

const randomToken = () => randomBytes(24).toString('base64url');

export async function authUrl(deps: Pick<Deps, 'db' | 'clock' | 'config'>, provider: OidcProvider, query: AuthUrlQuery): Promise<string> {
  if (!deps.config.oidcRedirectUris.includes(query.redirect_uri)) {
    throw new BadRequest(`redirect_uri ${JSON.stringify(query.redirect_uri)} is not registered with this server (EUCALYPT_OIDC_REDIRECT_URIS)`);
  }
  if (query.code_challenge !== undefined && query.code_challenge_method === undefined) throw new BadRequest('code_challenge_method is required with code_challenge');
  const metadata = await asking(() => provider.metadata());
  const now = deps.clock();
  const state = randomToken();
  const nonce = randomToken();
  await loginStates.insert(deps.db, { state, nonce, redirect_uri: query.redirect_uri, expires_at: new Date(now.getTime() + LOGIN_STATE_TTL_S * 1000).toISOString() }, now.toISOString());
  return authorizationUrl({
    authorizationEndpoint: metadata.authorization_endpoint,
    clientId: provider.settings.clientId,
    redirectUri: query.redirect_uri,
    scope: deps.config.oidcScope,
    state,
    nonce,
    codeChallenge: query.code_challenge,
    codeChallengeMethod: query.code_challenge_method,
  });
}

export async function exchange(deps: Pick<Deps, 'db' | 'clock' | 'config' | 'signingSecret'>, provider: OidcProvider, body: ExchangeBody) {
  const login = body.state ? await loginStates.take(deps.db, body.state) : undefined;
  if (!login || login.expires_at <= nowText(deps)) throw new BadRequest('Unknown, expired or already used login state: start again from /api/oauth/auth-url');
  if (body.error) throw new BadRequest(`The identity provider ended the login with an error: ${body.error}`);
  if (!body.code) throw new BadRequest('code is required');
  const code = body.code;
  const idToken = await asking(() => provider.exchangeCode(code, login.redirect_uri, body.code_verifier));
  const claims = await asking(() => provider.verifiedClaims(idToken));
  const identity = identityFromClaims(claims, { issuer: provider.settings.issuer, clientId: provider.settings.clientId, nonce: login.nonce, nowS: Math.floor(deps.clock().getTime() / 1000) });
  if ('problem' in identity) throw new BadRequest(`The login cannot be trusted: ${identity.problem}`);
  if (!identity.emailVerified || identity.email !== deps.config.oidcOwnerEmail) {
    throw new Forbidden(`${identity.email ?? 'This identity'}${identity.emailVerified ? '' : ' (not verified by the provider)'} is not this server's owner (EUCALYPT_OIDC_OWNER_EMAIL)`);
  }
  const ownerId = await userStore.ownerId(deps.db);
  const owner = ownerId && (await userStore.findById(deps.db, ownerId));
  if (!owner) throw new Unavailable('This server has no owner yet: start it once with `eucalypt serve`');
  const profile = { email: identity.email, first_name: identity.firstName ?? owner.first_name, last_name: identity.lastName ?? owner.last_name };
  await userStore.updateProfile(deps.db, owner.id, { ...profile, updated_at: nowText(deps) });
  return {
    access_token: sessions.issue(deps, owner.id),
    user: { id: owner.id, clerk_user_id: identity.subject, ...profile, is_active: owner.is_active === 1, is_verified: owner.is_verified === 1 },
  };
}

export async function logoutEndpoint(provider: OidcProvider): Promise<string> {
  const metadata = await asking(() => provider.metadata());
  if (!metadata.end_session_endpoint) throw new NotFound('The identity provider publishes no end_session_endpoint');
  return metadata.end_session_endpoint;
}
