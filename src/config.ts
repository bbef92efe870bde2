import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TRASH_RETENTION_DAYS } from './domain/trash-retention.js';

/** Every setting Eucalypt reads, with its environment variable and default, shown by `eucalypt --help`. */
export interface Config {
  dataDir: string;
  host: string;
  port: number;
  databaseUrl: string | undefined;
  apiKey: string | undefined;
  logLevel: string;
  userStorageLimitBytes: number | null;
  libraryStorageLimitBytes: number | null;
  /** Tasks run at once by the workers inside `serve` (0 = none) or by `eucalypt worker`. */
  workers: number;
  /** How long a task stays claimed without a heartbeat before another worker may take it. */
  taskLeaseMs: number;
  /** Origins allowed to call the API from a browser: `*` (any) or exact origins. */
  corsOrigins: '*' | string[];
  /** Base of absolute media URLs (origin plus optional path prefix, no trailing slash); null = from the request. */
  publicUrl: string | null;
  /** Fastify `trustProxy`: whether X-Forwarded-Proto/-Host (and -For) are believed, and from whom. */
  trustProxy: boolean | string[];
  /** Answer asset reads and lists as if every include token (but metrics) were given (spec §3.6). */
  fullResponses: boolean;
  /** Detect faces and group them into people (face_detection after thumbhash). */
  faces: boolean;
  /** Days a trashed asset or library stays restorable before the workers purge it. */
  trashRetentionDays: number;
  /** Object labels (COCO detector shipped with @vladmandic/human) in the embedding task. */
  labels: boolean;
  /** Text recognition (tesseract.js, English) in the embedding task. */
  ocr: boolean;
  /** Image/text embeddings for the dense search stage; none by default. */
  embeddingProvider: 'http' | 'transformers' | undefined;
  embeddingUrl: string | undefined;
  embeddingModel: string | undefined;
  embeddingApiKey: string | undefined;
  /** Optional reranker of the top 50 fused text-search results. */
  rerankUrl: string | undefined;
  rerankModel: string | undefined;
  rerankApiKey: string | undefined;
  /** Optional OpenAI-compatible vision model that writes `asset.description`. */
  descriptionUrl: string | undefined;
  descriptionModel: string | undefined;
  descriptionApiKey: string | undefined;
  descriptionPrompt: string;
  /** S3-compatible bucket for originals and renditions; undefined = files under the data dir. */
  s3Bucket: string | undefined;
  s3Endpoint: string | undefined;
  s3Region: string;
  s3Prefix: string;
  s3ForcePathStyle: boolean;
  s3AccessKeyId: string | undefined;
  s3SecretAccessKey: string | undefined;
  /** Local copies of S3 blobs that engines (sharp, ExifTool, ffmpeg) read, kept up to this size. */
  s3CacheBytes: number;
  /** OpenID Connect provider for the first-party login (§1.5); undefined = `/api/oauth/*` off. */
  oidcIssuer: string | undefined;
  oidcClientId: string | undefined;
  oidcClientSecret: string | undefined;
  /** Redirect URIs a login may return to (exact match, as the provider checks them too). */
  oidcRedirectUris: string[];
  oidcScope: string;
  /** The owner's e-mail address at the provider: only that (verified) identity logs in. */
  oidcOwnerEmail: string | undefined;
  /** Requests one client address may make to each `/api/oauth/*` route per minute; 0 = unlimited. */
  loginRateLimit: number;
}

interface Setting {
  env: string;
  default: string;
  help: string;
}

export const SETTINGS = {
  dataDir: { env: 'EUCALYPT_DATA_DIR', default: './data', help: 'Folder for the SQLite database, blobs and the initial API key' },
  host: { env: 'EUCALYPT_HOST', default: '127.0.0.1', help: 'Interface to listen on (0.0.0.0 for every interface)' },
  port: { env: 'EUCALYPT_PORT', default: '8000', help: 'TCP port to listen on' },
  databaseUrl: { env: 'DATABASE_URL', default: '', help: 'postgres://user:pass@host/db to use PostgreSQL instead of the embedded SQLite file' },
  apiKey: { env: 'EUCALYPT_API_KEY', default: '', help: 'API key (apikey_…) to create on first start instead of a random one' },
  logLevel: { env: 'EUCALYPT_LOG_LEVEL', default: 'info', help: 'pino log level: fatal, error, warn, info, debug, trace, silent' },
  userStorageLimitBytes: { env: 'EUCALYPT_USER_STORAGE_LIMIT_BYTES', default: '', help: "Owner's storage cap in bytes (uploads at or over it get 507); empty = no cap" },
  libraryStorageLimitBytes: { env: 'EUCALYPT_LIBRARY_STORAGE_LIMIT_BYTES', default: '', help: 'Storage cap in bytes for new libraries; empty = no cap' },
  workers: { env: 'EUCALYPT_WORKERS', default: '', help: 'Background tasks run at once per process (0 in serve = run them in separate `eucalypt worker` processes); empty = one per CPU core, plus one' },
  taskLeaseMs: { env: 'EUCALYPT_TASK_LEASE_MS', default: '60000', help: 'Milliseconds a crashed worker keeps its tasks before another worker runs them again' },
  corsOrigins: { env: 'EUCALYPT_CORS_ORIGINS', default: '*', help: 'Origins whose web pages may call the API and load media (comma list such as https://app.example.org,http://localhost:5173, or * for any); never with cookies/credentials' },
  publicUrl: { env: 'EUCALYPT_PUBLIC_URL', default: '', help: 'Public base URL clients reach this server at (https://photos.example.org or https://example.org/photos); media URLs are built on it, and a path prefix is accepted with or without the proxy stripping it. Empty = the origin each request used' },
  trustProxy: { env: 'EUCALYPT_TRUST_PROXY', default: '', help: 'Believe X-Forwarded-Proto/-Host/-For from a reverse proxy: true (from any peer) or a comma list of proxy addresses/CIDRs (loopback, 10.0.0.0/8, ...); empty = never' },
  fullResponses: { env: 'EUCALYPT_FULL_RESPONSES', default: 'false', help: 'true = asset reads and lists answer as if include=metadata,file_data,variants,faces,people were given (faces/people when present), for clients written before responses went lean' },
  faces: { env: 'EUCALYPT_FACES', default: 'on', help: 'Face detection and clustering into people: on or off' },
  trashRetentionDays: {
    env: 'EUCALYPT_TRASH_RETENTION_DAYS',
    default: String(DEFAULT_TRASH_RETENTION_DAYS),
    help: 'Days trashed assets and libraries stay restorable before the workers delete them and their files for good (0 = at the next sweep)',
  },
  labels: { env: 'EUCALYPT_LABELS', default: 'on', help: 'Object labels for search (offline COCO detector shipped in npm): on or off' },
  ocr: { env: 'EUCALYPT_OCR', default: 'on', help: 'Read text in photos for search (offline tesseract.js, English): on or off' },
  embeddingProvider: { env: 'EUCALYPT_EMBEDDING_PROVIDER', default: '', help: 'Image/text embeddings for visual search: http (EUCALYPT_EMBEDDING_URL) or transformers (a local CLIP model directory; needs @huggingface/transformers, not bundled); empty = off' },
  embeddingUrl: { env: 'EUCALYPT_EMBEDDING_URL', default: '', help: 'Embedding endpoint for the http provider (OpenAI-style /embeddings that also takes images as data URLs, see docs/search.md)' },
  embeddingModel: { env: 'EUCALYPT_EMBEDDING_MODEL', default: '', help: 'Model name sent to the http provider, or the model directory for transformers' },
  embeddingApiKey: { env: 'EUCALYPT_EMBEDDING_API_KEY', default: '', help: 'Bearer token for the embedding endpoint' },
  rerankUrl: { env: 'EUCALYPT_RERANK_URL', default: '', help: 'Optional reranker for text searches (Cohere/Jina-style /rerank); empty = rank fusion order' },
  rerankModel: { env: 'EUCALYPT_RERANK_MODEL', default: '', help: 'Model name sent to the reranker' },
  rerankApiKey: { env: 'EUCALYPT_RERANK_API_KEY', default: '', help: 'Bearer token for the reranker' },
  descriptionUrl: { env: 'EUCALYPT_DESCRIPTION_URL', default: '', help: 'OpenAI-compatible API base URL (…/v1) of a vision model that describes each photo; empty = no AI descriptions' },
  descriptionModel: { env: 'EUCALYPT_DESCRIPTION_MODEL', default: '', help: 'Chat model for descriptions (must accept images)' },
  descriptionApiKey: { env: 'EUCALYPT_DESCRIPTION_API_KEY', default: '', help: 'Bearer token for the description API' },
  descriptionPrompt: {
    env: 'EUCALYPT_DESCRIPTION_PROMPT',
    default: 'Describe this photo in one or two plain sentences for a search index: the subject, the setting and any visible text.',
    help: 'Instruction sent with each photo',
  },
  s3Bucket: { env: 'EUCALYPT_S3_BUCKET', default: '', help: 'Keep originals and renditions in this S3-compatible bucket instead of <data dir>/blobs (the bucket must exist); empty = local disk' },
  s3Endpoint: { env: 'EUCALYPT_S3_ENDPOINT', default: '', help: 'S3 API endpoint for MinIO, Garage, Ceph, R2, B2 … (http://minio:9000); empty = AWS' },
  s3Region: { env: 'EUCALYPT_S3_REGION', default: 'us-east-1', help: 'Region of the bucket' },
  s3Prefix: { env: 'EUCALYPT_S3_PREFIX', default: '', help: 'Key prefix inside the bucket (e.g. eucalypt/), so one bucket can hold several servers' },
  s3ForcePathStyle: { env: 'EUCALYPT_S3_FORCE_PATH_STYLE', default: '', help: 'true = http://endpoint/bucket/key URLs (MinIO and most self-hosted stores), false = bucket.endpoint; empty = true when an endpoint is set' },
  s3AccessKeyId: { env: 'EUCALYPT_S3_ACCESS_KEY_ID', default: '', help: "S3 access key; empty = the AWS SDK's own lookup (AWS_ACCESS_KEY_ID, profiles, instance roles)" },
  s3SecretAccessKey: { env: 'EUCALYPT_S3_SECRET_ACCESS_KEY', default: '', help: 'S3 secret key (with EUCALYPT_S3_ACCESS_KEY_ID)' },
  s3CacheBytes: { env: 'EUCALYPT_S3_CACHE_BYTES', default: '2147483648', help: 'Bytes of local copies of S3 blobs kept in <data dir>/blob-cache for the image and video engines (least recently used go first)' },
  oidcIssuer: { env: 'EUCALYPT_OIDC_ISSUER', default: '', help: 'OpenID Connect issuer URL (https://auth.example.org/realms/home) for logging in through /api/oauth/* and getting a session token; empty = off' },
  oidcClientId: { env: 'EUCALYPT_OIDC_CLIENT_ID', default: '', help: 'Client id registered with the OpenID Connect provider' },
  oidcClientSecret: { env: 'EUCALYPT_OIDC_CLIENT_SECRET', default: '', help: 'Client secret, for a confidential client; empty = public client (PKCE)' },
  oidcRedirectUris: { env: 'EUCALYPT_OIDC_REDIRECT_URIS', default: '', help: "Comma list of the redirect URIs clients may ask auth-url for (each also registered at the provider)" },
  oidcScope: { env: 'EUCALYPT_OIDC_SCOPE', default: 'openid email profile', help: 'Scopes asked of the provider (must include openid and give the email claim)' },
  oidcOwnerEmail: { env: 'EUCALYPT_OIDC_OWNER_EMAIL', default: '', help: "The owner's verified e-mail address at the provider; other identities are refused" },
  loginRateLimit: { env: 'EUCALYPT_LOGIN_RATE_LIMIT', default: '20', help: 'Requests one client address may make to each /api/oauth/* route per minute before it gets 429 (behind a proxy, set EUCALYPT_TRUST_PROXY); 0 = no limit' },
} satisfies Record<keyof Config, Setting>;

export class ConfigError extends Error {}

function optionalBytes(name: string, raw: string): number | null {
  if (raw === '') return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer number of bytes, got ${JSON.stringify(raw)}`);
  return n;
}

/** A whole number from `min` (0 or 1) up. */
function wholeNumber(name: string, raw: string, min: 0 | 1): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new ConfigError(`${name} must be ${min === 1 ? 'a positive whole number' : 'a whole number (0 or more)'}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function optionalUrl(name: string, raw: string): string | undefined {
  if (raw === '') return undefined;
  if (!/^https?:\/\/[^/]/.test(raw)) throw new ConfigError(`${name} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  return raw;
}

/**
 * Tasks run at once by default. One more than the cores: an image task spends part of its time
 * on the database, files and the event loop, and with one task per core those gaps left the
 * cores ~11 % idle during an import (measured: 88–89 % busy with 2 tasks on 2 cores, 93–94 %
 * with 3, for 12 % more photos per second).
 */
export const defaultWorkerCount = () => os.availableParallelism() + 1;

function workerCount(raw: string): number {
  if (raw === '') return defaultWorkerCount();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new ConfigError(`${SETTINGS.workers.env} must be a whole number from 0 to 256, got ${JSON.stringify(raw)}`);
  return n;
}

function corsOrigins(raw: string): '*' | string[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0 || items.includes('*')) return '*';
  return items.map((item) => {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== item.replace(/\/$/, '').toLowerCase()) {
      throw new ConfigError(`${SETTINGS.corsOrigins.env} must be * or a comma list of origins such as https://app.example.org (scheme, host, optional port; no path), got ${JSON.stringify(item)}`);
    }
    return url.origin;
  });
}

function publicUrl(raw: string): string | null {
  if (raw === '') return null;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${SETTINGS.publicUrl.env} must be an absolute http(s) URL without query or credentials, such as https://photos.example.org or https://example.org/photos, got ${JSON.stringify(raw)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function trustProxy(raw: string): boolean | string[] {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!/^(loopback|linklocal|uniquelocal|[0-9a-f]*[.:][0-9a-f.:]*(\/\d{1,3})?)$/.test(item)) {
      throw new ConfigError(`${SETTINGS.trustProxy.env} must be true, false or a comma list of proxy addresses/CIDRs (hop counts are not supported), got ${JSON.stringify(raw)}`);
    }
  }
  return items;
}

function flag(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off', ''].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function retentionDays(raw: string): number {
  if (raw.trim() === '') return DEFAULT_TRASH_RETENTION_DAYS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 36_500) {
    throw new ConfigError(`${SETTINGS.trashRetentionDays.env} must be a number of days from 0 to 36500, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (key: keyof typeof SETTINGS) => env[SETTINGS[key].env] ?? SETTINGS[key].default;
  const port = Number(read('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${SETTINGS.port.env} must be a port number (0-65535), got ${JSON.stringify(read('port'))}`);
  }
  const databaseUrl = read('databaseUrl') || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`${SETTINGS.databaseUrl.env} must start with postgres:// (leave it unset for the embedded SQLite database)`);
  }
  const apiKey = read('apiKey') || undefined;
  if (apiKey && !/^apikey_[A-Za-z0-9_-]{16,}$/.test(apiKey)) {
    throw new ConfigError(`${SETTINGS.apiKey.env} must look like apikey_ followed by at least 16 letters, digits, _ or -`);
  }
  return {
    dataDir: path.resolve(read('dataDir')),
    host: read('host'),
    port,
    databaseUrl,
    apiKey,
    logLevel: read('logLevel'),
    userStorageLimitBytes: optionalBytes(SETTINGS.userStorageLimitBytes.env, read('userStorageLimitBytes')),
    libraryStorageLimitBytes: optionalBytes(SETTINGS.libraryStorageLimitBytes.env, read('libraryStorageLimitBytes')),
    workers: workerCount(read('workers')),
    taskLeaseMs: wholeNumber(SETTINGS.taskLeaseMs.env, read('taskLeaseMs'), 1),
    corsOrigins: corsOrigins(read('corsOrigins')),
    publicUrl: publicUrl(read('publicUrl')),
    trustProxy: trustProxy(read('trustProxy')),
    fullResponses: flag(SETTINGS.fullResponses.env, read('fullResponses')),
    faces: flag(SETTINGS.faces.env, read('faces')),
    trashRetentionDays: retentionDays(read('trashRetentionDays')),
    labels: flag(SETTINGS.labels.env, read('labels')),
    ocr: flag(SETTINGS.ocr.env, read('ocr')),
    ...embeddingSettings(read),
    rerankUrl: optionalUrl(SETTINGS.rerankUrl.env, read('rerankUrl')),
    rerankModel: read('rerankModel') || undefined,
    rerankApiKey: read('rerankApiKey') || undefined,
    ...descriptionSettings(read),
    ...s3Settings(read),
    ...oidcSettings(read),
    loginRateLimit: wholeNumber(SETTINGS.loginRateLimit.env, read('loginRateLimit'), 0),
  };
}

function oidcSettings(read: (key: keyof typeof SETTINGS) => string): Pick<Config, 'oidcIssuer' | 'oidcClientId' | 'oidcClientSecret' | 'oidcRedirectUris' | 'oidcScope' | 'oidcOwnerEmail'> {
  const issuer = optionalUrl(SETTINGS.oidcIssuer.env, read('oidcIssuer'));
  const clientId = read('oidcClientId') || undefined;
  const redirectUris = read('oidcRedirectUris').split(',').map((s) => s.trim()).filter(Boolean);
  const ownerEmail = read('oidcOwnerEmail').trim().toLowerCase() || undefined;
  const scope = read('oidcScope').trim();
  if (issuer) {
    const missing = [
      [clientId, SETTINGS.oidcClientId.env],
      [redirectUris.length > 0, SETTINGS.oidcRedirectUris.env],
      [ownerEmail, SETTINGS.oidcOwnerEmail.env],
    ].filter(([value]) => !value).map(([, env]) => env);
    if (missing.length > 0) throw new ConfigError(`${SETTINGS.oidcIssuer.env} needs ${missing.join(', ')} as well`);
    if (!scope.split(/\s+/).includes('openid')) throw new ConfigError(`${SETTINGS.oidcScope.env} must include openid, got ${JSON.stringify(scope)}`);
    for (const uri of redirectUris) {
      let url: URL | undefined;
      try {
        url = new URL(uri);
      } catch {
        url = undefined;
      }
      if (!url || url.hash) throw new ConfigError(`${SETTINGS.oidcRedirectUris.env} must be a comma list of absolute URLs without #fragment, got ${JSON.stringify(uri)}`);
    }
  }
  return { oidcIssuer: issuer, oidcClientId: clientId, oidcClientSecret: read('oidcClientSecret') || undefined, oidcRedirectUris: redirectUris, oidcScope: scope, oidcOwnerEmail: ownerEmail };
}

function s3Settings(read: (key: keyof typeof SETTINGS) => string): Pick<Config, 's3Bucket' | 's3Endpoint' | 's3Region' | 's3Prefix' | 's3ForcePathStyle' | 's3AccessKeyId' | 's3SecretAccessKey' | 's3CacheBytes'> {
  const bucket = read('s3Bucket') || undefined;
  const endpoint = optionalUrl(SETTINGS.s3Endpoint.env, read('s3Endpoint'));
  const prefix = read('s3Prefix');
  if (prefix.startsWith('/')) throw new ConfigError(`${SETTINGS.s3Prefix.env} must not start with /, got ${JSON.stringify(prefix)}`);
  const accessKeyId = read('s3AccessKeyId') || undefined;
  const secretAccessKey = read('s3SecretAccessKey') || undefined;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) throw new ConfigError(`${SETTINGS.s3AccessKeyId.env} and ${SETTINGS.s3SecretAccessKey.env} go together`);
  const pathStyle = read('s3ForcePathStyle');
  return {
    s3Bucket: bucket,
    s3Endpoint: endpoint,
    s3Region: read('s3Region') || SETTINGS.s3Region.default,
    s3Prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix,
    s3ForcePathStyle: pathStyle === '' ? endpoint !== undefined : flag(SETTINGS.s3ForcePathStyle.env, pathStyle),
    s3AccessKeyId: accessKeyId,
    s3SecretAccessKey: secretAccessKey,
    s3CacheBytes: wholeNumber(SETTINGS.s3CacheBytes.env, read('s3CacheBytes'), 1),
  };
}

function embeddingSettings(read: (key: keyof typeof SETTINGS) => string): Pick<Config, 'embeddingProvider' | 'embeddingUrl' | 'embeddingModel' | 'embeddingApiKey'> {
  const provider = read('embeddingProvider');
  const url = optionalUrl(SETTINGS.embeddingUrl.env, read('embeddingUrl'));
  const model = read('embeddingModel') || undefined;
  if (provider !== '' && provider !== 'http' && provider !== 'transformers') {
    throw new ConfigError(`${SETTINGS.embeddingProvider.env} must be http, transformers or empty, got ${JSON.stringify(provider)}`);
  }
  if (provider === 'http' && !url) throw new ConfigError(`${SETTINGS.embeddingProvider.env}=http needs ${SETTINGS.embeddingUrl.env}`);
  if (provider === 'transformers' && !model) throw new ConfigError(`${SETTINGS.embeddingProvider.env}=transformers needs ${SETTINGS.embeddingModel.env} (the model directory)`);
  return { embeddingProvider: provider || undefined, embeddingUrl: url, embeddingModel: model, embeddingApiKey: read('embeddingApiKey') || undefined };
}

function descriptionSettings(read: (key: keyof typeof SETTINGS) => string): Pick<Config, 'descriptionUrl' | 'descriptionModel' | 'descriptionApiKey' | 'descriptionPrompt'> {
  const url = optionalUrl(SETTINGS.descriptionUrl.env, read('descriptionUrl'));
  const model = read('descriptionModel') || undefined;
  if (url && !model) throw new ConfigError(`${SETTINGS.descriptionUrl.env} needs ${SETTINGS.descriptionModel.env}`);
  return { descriptionUrl: url, descriptionModel: model, descriptionApiKey: read('descriptionApiKey') || undefined, descriptionPrompt: read('descriptionPrompt') };
}

export function configHelp(): string {
  const width = Math.max(...Object.values(SETTINGS).map((s) => s.env.length));
  return Object.values(SETTINGS)
    .map((s: Setting) => `  ${s.env.padEnd(width)}  ${s.help}${s.default ? ` (default: ${s.default})` : ''}`)
    .join('\n');
}
