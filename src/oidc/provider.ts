import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';

/**
 * The identity provider behind the first-party login (§1.5): any OpenID Connect provider
 * (Authelia, Authentik, Keycloak, Dex, Google, …) found by discovery. This adapter fetches its
 * metadata and keys, trades an authorisation code for an ID token and checks that token's
 * signature; what the claims must say is domain/oidc.ts.
 */

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE only). */
  clientSecret: string | undefined;
}

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
}

/** `rejected`: the provider refused this login (bad code, verifier, token) — the client's 400. `unavailable`: it could not be asked. */
export class OidcError extends Error {
  override readonly name = 'OidcError';
  constructor(
    message: string,
    readonly kind: 'rejected' | 'unavailable',
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;
/** Discovery and keys are fetched again after this long, and on a key id not seen yet (key rotation) at most this often. */
const METADATA_TTL_MS = 60 * 60_000;
const KEY_REFETCH_MIN_MS = 60_000;

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

async function fetchJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
    throw new OidcError(`The identity provider could not be reached (${new URL(url).origin}): ${reason}`, 'unavailable');
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OidcError(`The identity provider answered ${response.status} without a JSON object at ${new URL(url).pathname}`, 'unavailable');
  }
  return { status: response.status, body: body as Record<string, unknown> };
}

export class OidcProvider {
  private metadataCache: { value: Promise<ProviderMetadata>; at: number } | undefined;
  private keysCache: { value: Promise<Map<string | undefined, JsonWebKey>>; at: number } | undefined;

  constructor(readonly settings: OidcSettings) {}

  metadata(): Promise<ProviderMetadata> {
    if (!this.metadataCache || Date.now() - this.metadataCache.at > METADATA_TTL_MS) {
      const value = this.discover();
      this.metadataCache = { value, at: Date.now() };
      value.catch(() => (this.metadataCache = undefined));
    }
    return this.metadataCache.value;
  }

  private async discover(): Promise<ProviderMetadata> {
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const { status, body } = await fetchJson(url);
    if (status !== 200) throw new OidcError(`The identity provider's discovery document answered ${status} (${url})`, 'unavailable');
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof body[field] !== 'string') throw new OidcError(`The identity provider's discovery document has no ${field} (${url})`, 'unavailable');
    }
    // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
    if (body.issuer !== this.settings.issuer) throw new OidcError(`The discovery document at ${url} is for issuer ${JSON.stringify(body.issuer)}, not ${this.settings.issuer}`, 'unavailable');
    return body as unknown as ProviderMetadata;
  }

  /** The ID token for an authorisation code (the code grant, RFC 6749 §4.1.3, with the PKCE verifier when the login used one). */
  async exchangeCode(code: string, redirectUri: string, codeVerifier: string | undefined): Promise<string> {
    const metadata = await this.metadata();
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    if (codeVerifier) form.set('code_verifier', codeVerifier);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const { clientId, clientSecret } = this.settings;
    if (clientSecret === undefined) {
      form.set('client_id', clientId);
    } else if (usesPostedSecret(metadata)) {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    }
    const { status, body } = await fetchJson(metadata.token_endpoint, { method: 'POST', headers, body: form.toString() });
    if (status >= 500) throw new OidcError(`The identity provider's token endpoint answered ${status}`, 'unavailable');
    // The server's own configuration is wrong, not the login: no client can fix it by trying again.
    if (status === 401 || body.error === 'invalid_client') {
      throw new OidcError('The identity provider does not accept this server as a client (invalid_client): check EUCALYPT_OIDC_CLIENT_ID and EUCALYPT_OIDC_CLIENT_SECRET', 'unavailable');
    }
    if (status !== 200) {
      const reason = [body.error, body.error_description].filter((v) => typeof v === 'string').join(': ');
      throw new OidcError(`The identity provider refused the authorisation code${reason ? ` (${reason})` : ''}`, 'rejected');
    }
    if (typeof body.id_token !== 'string') throw new OidcError('The identity provider returned no ID token (is "openid" among the scopes?)', 'rejected');
    return body.id_token;
  }

  /** The claims of an ID token whose signature one of the provider's keys made; claim rules are the caller's. */
  async verifiedClaims(idToken: string): Promise<Record<string, unknown>> {
    const [headerPart, payloadPart, signaturePart] = idToken.split('.');
    const header = decodeJson(headerPart);
    const claims = decodeJson(payloadPart);
    if (!header || !claims || signaturePart === undefined) throw new OidcError('The ID token is not a JWT', 'rejected');
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const jwk = await this.key(kid);
    if (!jwk) throw new OidcError(`The ID token was signed with a key the identity provider does not publish (kid ${JSON.stringify(kid)})`, 'rejected');
    if (!signatureHolds(alg, jwk, `${headerPart}.${payloadPart}`, Buffer.from(signaturePart, 'base64url'))) {
      throw new OidcError(`The ID token's signature does not verify (alg ${JSON.stringify(alg)})`, 'rejected');
    }
    return claims;
  }

  private async key(kid: string | undefined): Promise<JsonWebKey | undefined> {
    const fresh = () => Date.now() - (this.keysCache?.at ?? 0) < KEY_REFETCH_MIN_MS;
    if (!this.keysCache || Date.now() - this.keysCache.at > METADATA_TTL_MS) this.refetchKeys();
    let keys = await this.keysCache!.value;
    if (!keys.has(kid) && !fresh()) {
      this.refetchKeys();
      keys = await this.keysCache!.value;
    }
    return keys.get(kid);
  }

  private refetchKeys(): void {
    const value = (async () => {
      const { jwks_uri: jwksUri } = await this.metadata();
      const { status, body } = await fetchJson(jwksUri);
      if (status !== 200 || !Array.isArray(body.keys)) throw new OidcError(`The identity provider's key set answered ${status} without keys`, 'unavailable');
      const keys = new Map<string | undefined, JsonWebKey>();
      for (const k of body.keys as JsonWebKey[]) {
        if (k.use !== undefined && k.use !== 'sig') continue;
        keys.set(typeof k.kid === 'string' ? k.kid : undefined, k);
      }
      // A token without `kid` is checked against the only key, when there is just one.
      if (!keys.has(undefined) && keys.size === 1) keys.set(undefined, [...keys.values()][0]);
      return keys;
    })();
    this.keysCache = { value, at: Date.now() };
    value.catch(() => (this.keysCache = undefined));
  }
}

/** HTTP Basic is the default (OpenID Connect Discovery §3); a provider may list only the form post. */
function usesPostedSecret(metadata: ProviderMetadata): boolean {
  const methods = metadata.token_endpoint_auth_methods_supported;
  return Array.isArray(methods) && !methods.includes('client_secret_basic') && methods.includes('client_secret_post');
}

function decodeJson(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** JWS signature check for the asymmetric algorithms providers use (RFC 7518 §3); `none` and HMAC never pass. */
function signatureHolds(alg: string, jwk: JsonWebKey, signingInput: string, signature: Buffer): boolean {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return false;
  }
  const data = Buffer.from(signingInput);
  const family = alg.slice(0, 2);
  const hash = HASHES[alg.slice(2)];
  try {
    if (alg === 'EdDSA') return key.asymmetricKeyType?.startsWith('ed') === true && verify(null, data, key, signature);
    if (!hash) return false;
    if (family === 'RS' && key.asymmetricKeyType === 'rsa') return verify(hash, data, key, signature);
    if (family === 'PS' && key.asymmetricKeyType === 'rsa') return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }, signature);
    if (family === 'ES' && key.asymmetricKeyType === 'ec') return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
  return false;
}
