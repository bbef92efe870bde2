import { ACTIONS } from '../domain/api-key-grants.js';
import { issueSessionToken, needsRefresh, readSessionToken, sessionKey } from '../domain/session-token.js';
import * as userStore from '../store/users.js';
import type { Deps, Principal } from './deps.js';

const nowS = (deps: Pick<Deps, 'clock'>) => Math.floor(deps.clock().getTime() / 1000);

/** A session token for the user (§1.5 exchange). */
export const issue = (deps: Pick<Deps, 'clock' | 'signingSecret'>, userId: string) => issueSessionToken(sessionKey(deps.signingSecret), userId, nowS(deps));

/**
 * The principal behind a first-party session token: everything the user may do, in all their
 * libraries. Undefined when the token is forged, expired or revoked, or its user gone or inactive (an
 * exchange may succeed for an inactive account; its later calls get 401). `refreshed` is the
 * sliding renewal to hand back in `x-new-access-token`.
 */
export async function authenticate(deps: Pick<Deps, 'db' | 'clock' | 'signingSecret'>, token: string): Promise<{ principal: Principal; refreshed?: string } | undefined> {
  const claims = readSessionToken(sessionKey(deps.signingSecret), token, nowS(deps));
  if (typeof claims === 'string') return undefined;
  const user = await userStore.findById(deps.db, claims.sub);
  if (!user || user.is_active !== 1) return undefined;
  // Whole seconds: a token from the second of a revocation is refused too.
  if (user.sessions_valid_after !== null && claims.iat * 1000 <= Date.parse(user.sessions_valid_after)) return undefined;
  const principal: Principal = { userId: user.id, apiKeyId: null, actions: new Set(ACTIONS), libraryIds: null };
  return needsRefresh(claims, nowS(deps)) ? { principal, refreshed: issue(deps, user.id) } : { principal };
}

/** Ends every session token of the user issued so far (`eucalypt sessions revoke`); API keys are untouched. */
export async function revokeAll(deps: Pick<Deps, 'db' | 'clock'>, userId: string): Promise<void> {
  await userStore.revokeSessions(deps.db, userId, deps.clock().toISOString());
}
