/**
 * A real OpenID Connect provider on a local port, standing in for Keycloak, Authelia or Google:
 * discovery, a key set, the authorisation-code grant with PKCE and client authentication, and
 * RS256 ID tokens. `authorize` plays the browser and the user at the login page, or a real
 * browser gets there and `signIn` is who logs in. `misbehave` makes the next tokens
 * untrustworthy in one chosen way.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Person {
  sub: string;
  email: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
}

interface Grant {
  person: Person;
  nonce: string;
  redirectUri: string;
  challenge: string | undefined;
  method: string | undefined;
}

export type Misbehaviour = 'none' | 'foreign-key' | 'wrong-nonce' | 'wrong-audience' | 'expired' | 'down';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class TestOidcProvider {
  readonly clientId = 'eucalypt-test';
  readonly clientSecret = 'client-secret-for-tests';
  misbehave: Misbehaviour = 'none';
  /** The provider's clock, in ms; tests that move the server's clock move this one with it. */
  now: () => number = Date.now;
  /** How the client must authenticate at the token endpoint (advertised in discovery). */
  clientAuth: 'client_secret_basic' | 'client_secret_post' | 'none' = 'client_secret_basic';
  /** Who signs in when a browser reaches the login page (`/authorize`). */
  signIn: Person | undefined;
  /** Every token request's form, for assertions. */
  readonly tokenRequests: URLSearchParams[] = [];
  private readonly grants = new Map<string, Grant>();
  /** Published signing keys; the last one signs. */
  private readonly keys = [{ kid: 'key-1', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) }];
  private readonly foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private server!: http.Server;
  issuer = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/realms/test`;
    return this;
  }

  /** Publishes a new key and signs with it from now on, as providers rotate keys. */
  rotateKey(): void {
    this.keys.push({ kid: `key-${this.keys.length + 1}`, pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The user signs in at the authorisation URL the server handed out; the browser comes back with this. */
  authorize(authUrl: string, person: Person): { code: string; state: string; redirectUri: string } {
    const url = new URL(authUrl);
    if (`${url.origin}${url.pathname}` !== `${this.issuer}/authorize`) throw new Error(`not this provider's login page: ${authUrl}`);
    const p = url.searchParams;
    if (p.get('response_type') !== 'code' || p.get('client_id') !== this.clientId) throw new Error(`bad authorisation request: ${authUrl}`);
    const code = randomBytes(16).toString('hex');
    this.grants.set(code, { person, nonce: p.get('nonce')!, redirectUri: p.get('redirect_uri')!, challenge: p.get('code_challenge') ?? undefined, method: p.get('code_challenge_method') ?? undefined });
    return { code, state: p.get('state')!, redirectUri: p.get('redirect_uri')! };
  }

  private idToken(grant: Grant): string {
    const now = Math.floor(this.now() / 1000);
    const claims = {
      iss: this.issuer,
      aud: this.misbehave === 'wrong-audience' ? 'someone-else' : this.clientId,
      iat: now - (this.misbehave === 'expired' ? 7200 : 0),
      exp: now + (this.misbehave === 'expired' ? -3600 : 300),
      nonce: this.misbehave === 'wrong-nonce' ? 'not-the-nonce' : grant.nonce,
      email_verified: true,
      ...grant.person,
    };
    const current = this.keys.at(-1)!;
    const header = b64({ alg: 'RS256', typ: 'JWT', kid: current.kid });
    const input = `${header}.${b64(claims)}`;
    const key: KeyObject = (this.misbehave === 'foreign-key' ? this.foreignKey : current.pair).privateKey;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.misbehave === 'down') return json(502, { error: 'bad gateway' });
    const path = new URL(req.url!, 'http://x').pathname.replace('/realms/test', '');
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(200, { issuer: this.issuer, authorization_endpoint: `${this.issuer}/authorize`, token_endpoint: `${this.issuer}/token`, jwks_uri: `${this.issuer}/jwks`, end_session_endpoint: `${this.issuer}/logout`, token_endpoint_auth_methods_supported: [this.clientAuth] });
    }
    if (req.method === 'GET' && path === '/authorize' && this.signIn) {
      const { code, state, redirectUri } = this.authorize(`${this.issuer.slice(0, this.issuer.indexOf('/realms'))}${req.url}`, this.signIn);
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', state);
      res.writeHead(302, { location: back.toString() });
      res.end();
      return;
    }
    if (req.method === 'GET' && path === '/logout') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<p id="provider-logged-out">You are signed out of the provider.</p>');
      return;
    }
    if (req.method === 'GET' && path === '/jwks') {
      return json(200, { keys: this.keys.map(({ kid, pair }) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' })) });
    }
    if (req.method === 'POST' && path === '/token') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      this.tokenRequests.push(form);
      const authenticated =
        this.clientAuth === 'client_secret_basic'
          ? req.headers.authorization === `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`
          : form.get('client_id') === this.clientId && form.get('client_secret') === (this.clientAuth === 'none' ? null : this.clientSecret) && req.headers.authorization === undefined;
      if (!authenticated) return json(401, { error: 'invalid_client' });
      const grant = this.grants.get(form.get('code') ?? '');
      this.grants.delete(form.get('code') ?? '');
      if (form.get('grant_type') !== 'authorization_code' || !grant || grant.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant', error_description: 'unknown or used code' });
      if (grant.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        const made = grant.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
        if (made !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
      }
      return json(200, { access_token: 'provider-access-token', token_type: 'Bearer', expires_in: 300, id_token: this.idToken(grant) });
    }
    json(404, { error: 'not_found' });
  }
}
