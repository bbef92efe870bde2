import { describe, expect, it } from 'vitest';
import { ConfigError, configHelp, loadConfig } from '../src/config.js';

describe('browser-client and proxy settings', () => {
  it('defaults: any origin, URLs from the request, no proxy trusted, lean responses', () => {
    const c = loadConfig({});
    expect(c.corsOrigins).toBe('*');
    expect(c.publicUrl).toBeNull();
    expect(c.trustProxy).toBe(false);
    expect(c.fullResponses).toBe(false);
  });

  it.each([
    ['*', '*'],
    ['', '*'],
    ['https://app.example.org', ['https://app.example.org']],
    [' https://app.example.org/ , http://localhost:5173', ['https://app.example.org', 'http://localhost:5173']],
    ['http://localhost:5173,*', '*'],
  ])('EUCALYPT_CORS_ORIGINS=%j → %j', (raw, expected) => {
    expect(loadConfig({ EUCALYPT_CORS_ORIGINS: raw }).corsOrigins).toEqual(expected);
  });

  it.each(['app.example.org', 'https://app.example.org/path', 'ftp://x.org'])('EUCALYPT_CORS_ORIGINS=%j is refused with the setting named', (raw) => {
    expect(() => loadConfig({ EUCALYPT_CORS_ORIGINS: raw })).toThrow(/EUCALYPT_CORS_ORIGINS/);
  });

  it.each([
    ['https://photos.example.org', 'https://photos.example.org'],
    ['https://photos.example.org/', 'https://photos.example.org'],
    ['https://example.org/photos/', 'https://example.org/photos'],
    ['http://127.0.0.1:8000', 'http://127.0.0.1:8000'],
  ])('EUCALYPT_PUBLIC_URL=%j → %j', (raw, expected) => {
    expect(loadConfig({ EUCALYPT_PUBLIC_URL: raw }).publicUrl).toBe(expected);
  });

  it.each(['photos.example.org', 'https://x.org/?a=1', 'https://user:pw@x.org', 'ws://x.org'])('EUCALYPT_PUBLIC_URL=%j is refused', (raw) => {
    expect(() => loadConfig({ EUCALYPT_PUBLIC_URL: raw })).toThrow(ConfigError);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['loopback', ['loopback']],
    ['127.0.0.1, 10.0.0.0/8,::1', ['127.0.0.1', '10.0.0.0/8', '::1']],
  ])('EUCALYPT_TRUST_PROXY=%j → %j', (raw, expected) => {
    expect(loadConfig({ EUCALYPT_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each(['2', 'yes please'])('EUCALYPT_TRUST_PROXY=%j is refused (hop counts cannot vouch for the peer)', (raw) => {
    expect(() => loadConfig({ EUCALYPT_TRUST_PROXY: raw })).toThrow(/EUCALYPT_TRUST_PROXY/);
  });

  it('EUCALYPT_FULL_RESPONSES takes true/false and refuses anything else', () => {
    expect(loadConfig({ EUCALYPT_FULL_RESPONSES: 'true' }).fullResponses).toBe(true);
    expect(loadConfig({ EUCALYPT_FULL_RESPONSES: '0' }).fullResponses).toBe(false);
    expect(() => loadConfig({ EUCALYPT_FULL_RESPONSES: 'full' })).toThrow(/EUCALYPT_FULL_RESPONSES/);
  });

  it('eucalypt --help lists the new settings', () => {
    const help = configHelp();
    for (const env of ['EUCALYPT_CORS_ORIGINS', 'EUCALYPT_PUBLIC_URL', 'EUCALYPT_TRUST_PROXY', 'EUCALYPT_FULL_RESPONSES']) expect(help).toContain(env);
  });
});

describe('EUCALYPT_TRASH_RETENTION_DAYS', () => {
  it('defaults to 90 days and accepts whole or fractional days, 0 included', () => {
    expect(loadConfig({}).trashRetentionDays).toBe(90);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '30' }).trashRetentionDays).toBe(30);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '0' }).trashRetentionDays).toBe(0);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '0.5' }).trashRetentionDays).toBe(0.5);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '' }).trashRetentionDays).toBe(90);
  });
  it.each(['-1', 'ninety', 'Infinity', '40000'])('rejects %j with a message naming the variable', (raw) => {
    expect(() => loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: raw })).toThrow(/EUCALYPT_TRASH_RETENTION_DAYS/);
  });
  it('is listed by eucalypt --help with its default', () => {
    expect(configHelp()).toMatch(/EUCALYPT_TRASH_RETENTION_DAYS\s+.*\(default: 90\)/);
  });
});

describe('S3 settings', () => {
  it('keep files on disk unless a bucket is named', () => {
    expect(loadConfig({})).toMatchObject({ s3Bucket: undefined, s3Region: 'us-east-1', s3Prefix: '', s3ForcePathStyle: false, s3CacheBytes: 2 ** 31 });
  });
  it('use path-style URLs with a custom endpoint unless told otherwise, and end the prefix with /', () => {
    const env = { EUCALYPT_S3_BUCKET: 'photos', EUCALYPT_S3_ENDPOINT: 'http://minio:9000', EUCALYPT_S3_PREFIX: 'eucalypt' };
    expect(loadConfig(env)).toMatchObject({ s3Bucket: 'photos', s3Endpoint: 'http://minio:9000', s3ForcePathStyle: true, s3Prefix: 'eucalypt/' });
    expect(loadConfig({ ...env, EUCALYPT_S3_FORCE_PATH_STYLE: 'false' }).s3ForcePathStyle).toBe(false);
  });
  it.each([
    [{ EUCALYPT_S3_ENDPOINT: 'minio:9000' }, /EUCALYPT_S3_ENDPOINT must be an http/],
    [{ EUCALYPT_S3_PREFIX: '/abs' }, /EUCALYPT_S3_PREFIX must not start with \//],
    [{ EUCALYPT_S3_ACCESS_KEY_ID: 'id' }, /EUCALYPT_S3_ACCESS_KEY_ID and EUCALYPT_S3_SECRET_ACCESS_KEY go together/],
    [{ EUCALYPT_S3_CACHE_BYTES: '0' }, /EUCALYPT_S3_CACHE_BYTES must be a positive whole number/],
  ])('refuse %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('OpenID Connect settings', () => {
  const env = { EUCALYPT_OIDC_ISSUER: 'https://id.example.org/realms/home', EUCALYPT_OIDC_CLIENT_ID: 'eucalypt', EUCALYPT_OIDC_REDIRECT_URIS: 'https://app.example.org/cb, http://localhost:3000/cb', EUCALYPT_OIDC_OWNER_EMAIL: ' Ada@Example.org ' };
  it('are off unless an issuer is named', () => {
    expect(loadConfig({})).toMatchObject({ oidcIssuer: undefined, oidcRedirectUris: [], oidcScope: 'openid email profile', loginRateLimit: 20 });
  });
  it('list the redirect URIs and keep the owner address in lower case', () => {
    expect(loadConfig(env)).toMatchObject({ oidcIssuer: env.EUCALYPT_OIDC_ISSUER, oidcClientId: 'eucalypt', oidcClientSecret: undefined, oidcRedirectUris: ['https://app.example.org/cb', 'http://localhost:3000/cb'], oidcOwnerEmail: 'ada@example.org' });
  });
  it.each([
    [{ EUCALYPT_OIDC_CLIENT_ID: '' }, /EUCALYPT_OIDC_ISSUER needs EUCALYPT_OIDC_CLIENT_ID as well/],
    [{ EUCALYPT_OIDC_REDIRECT_URIS: '', EUCALYPT_OIDC_OWNER_EMAIL: '' }, /needs EUCALYPT_OIDC_REDIRECT_URIS, EUCALYPT_OIDC_OWNER_EMAIL as well/],
    [{ EUCALYPT_OIDC_REDIRECT_URIS: '/cb' }, /EUCALYPT_OIDC_REDIRECT_URIS must be a comma list of absolute URLs/],
    [{ EUCALYPT_OIDC_SCOPE: 'email profile' }, /EUCALYPT_OIDC_SCOPE must include openid/],
    [{ EUCALYPT_OIDC_ISSUER: 'id.example.org' }, /EUCALYPT_OIDC_ISSUER must be an http/],
    [{ EUCALYPT_LOGIN_RATE_LIMIT: '-1' }, /EUCALYPT_LOGIN_RATE_LIMIT must be a whole number/],
  ])('refuse %j with a message naming the variable', (change, message) => {
    expect(() => loadConfig({ ...env, ...change })).toThrow(message);
  });
});
