import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A tiny client for the two Gumnut endpoints the importer needs (§1.8): the existence check
 * and the multipart upload. Only documented behaviour: 201 new, 200 duplicate, errors as
 * `{detail}` (a string, or FastAPI's list of `{loc, msg}`), 429/502/503/504 and dropped
 * connections retried with backoff, honouring `Retry-After`.
 */

/** The server answered with an error status. `detail` is its message, made readable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`${detail} (HTTP ${status})`);
    this.name = 'ApiError';
  }
}

/** No HTTP answer at all (refused, reset, DNS, timeout), after every retry. */
export class ServerUnreachable extends Error {
  constructor(
    readonly server: string,
    readonly code: string,
  ) {
    super(`cannot reach ${server} (${code})`);
    this.name = 'ServerUnreachable';
  }
}

/**
 * The server answered with a redirect (e.g. http:// to https://). Never followed: fetch turns
 * a redirected POST into a GET, and a streamed body cannot be replayed.
 */
export class Redirected extends Error {
  constructor(
    readonly server: string,
    readonly location: string | undefined,
  ) {
    super(`${server} redirects${location ? ` to ${location}` : ''}`);
    this.name = 'Redirected';
  }
}

/** The local file could not be read while it was being sent. */
export class LocalReadError extends Error {
  override name = 'LocalReadError';
}

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest `Retry-After` honoured as given; longer ones are cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 300_000 };

export interface ClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8000 (a trailing `/api` is accepted). */
  server: string;
  apiKey: string;
  libraryId?: string;
  retry?: Partial<RetryPolicy>;
  /** Told about each retry, e.g. to log it. */
  onRetry?: (what: string, reason: string, delayMs: number) => void;
}

export interface UploadInput {
  path: string;
  fileName: string;
  mimeType: string;
  deviceAssetId: string;
  deviceId: string;
  fileCreatedAt: string;
  fileModifiedAt: string;
}

export interface UploadOutcome {
  /** 201: a new asset; false on 200, a duplicate of an asset already in the library. */
  created: boolean;
  assetId: string;
}

export const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/** `http(s)://host[:port][/prefix]` without a trailing slash or `/api`. */
export function normaliseServer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--server must be a URL like http://127.0.0.1:8000, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--server must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '').replace(/\/api$/, '');
}

export class GumnutClient {
  readonly server: string;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: ClientOptions) {
    this.server = normaliseServer(options.server);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** The SHA-256 checksums (base64) among `checksums` that the library already holds; ≤5000 per call. */
  async exist(checksums: string[], signal?: AbortSignal, options: { attempts?: number } = {}): Promise<Set<string>> {
    if (checksums.length > 5000) throw new Error('exist: at most 5000 checksums per call');
    const query = this.options.libraryId ? `?library_id=${encodeURIComponent(this.options.libraryId)}` : '';
    const body = JSON.stringify({ checksums });
    const res = await this.send(
      'existence check',
      `/api/assets/exist${query}`,
      // 'manual': a redirect comes back as a response, so the error can say where it points.
      () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'manual' }),
      signal,
      options.attempts,
    );
    if (res.status === 404 && !this.options.libraryId) {
      // §1.8: with no live library, the first upload creates one; until then nothing exists.
      await res.body?.cancel();
      return new Set();
    }
    const json = (await readJson(res)) as { assets?: { checksum?: string }[] };
    if (!res.ok) throw new ApiError(res.status, detailOf(json, res));
    return new Set((json?.assets ?? []).map((a) => a.checksum).filter((c): c is string => typeof c === 'string'));
  }

  /** Streams one file as `multipart/form-data` (§3.11). `onBytes` counts file bytes sent (negative on a retry). */
  async upload(input: UploadInput, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<UploadOutcome> {
    const fields: [string, string][] = [
      ['device_asset_id', input.deviceAssetId],
      ['device_id', input.deviceId],
      ['file_created_at', input.fileCreatedAt],
      ['file_modified_at', input.fileModifiedAt],
    ];
    if (this.options.libraryId) fields.push(['library_id', this.options.libraryId]);
    let sent = 0;
    let readError: unknown;
    const res = await this.send(
      `upload of ${input.deviceAssetId}`,
      '/api/assets',
      async () => {
        if (sent) onBytes?.(-sent);
        sent = 0;
        readError = undefined;
        const blob = await fs.openAsBlob(input.path, { type: input.mimeType }).catch((err: unknown) => {
          throw new LocalReadError(`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        });
        const form = multipart(fields, input.fileName, input.mimeType, blob.size);
        async function* body(): AsyncGenerator<Uint8Array> {
          yield form.head;
          try {
            for await (const chunk of blob.stream() as unknown as AsyncIterable<Uint8Array>) {
              sent += chunk.length;
              onBytes?.(chunk.length);
              yield chunk;
            }
          } catch (err) {
            readError = err;
            throw err;
          }
          yield form.tail;
        }
        // redirect 'error': with 'follow' (and even 'manual') Node's fetch tees a stream body to
        // replay it after a redirect, holding the whole file in memory (nodejs/undici#4058).
        return {
          method: 'POST',
          headers: { 'content-type': form.contentType, 'content-length': String(form.length) },
          body: toStream(body()),
          duplex: 'half',
          redirect: 'error',
        } as RequestInit;
      },
      signal,
      undefined,
      () => readError,
    );
    const json = (await readJson(res)) as { id?: string };
    if (!res.ok) throw new ApiError(res.status, detailOf(json, res));
    return { created: res.status !== 200, assetId: String(json?.id ?? '') };
  }

  /** One request with retries; `init` is rebuilt per attempt (a streamed body is single-use). */
  private async send(
    what: string,
    path: string,
    init: () => RequestInit | Promise<RequestInit>,
    signal: AbortSignal | undefined,
    attempts = this.retry.attempts,
    localError: () => unknown = () => undefined,
  ): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const request = await init();
      let res: Response | undefined;
      let failure: Error;
      try {
        res = await fetch(`${this.server}${path}`, { ...request, signal, headers: { ...(request.headers as Record<string, string>), authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' } });
      } catch (err) {
        signal?.throwIfAborted();
        const local = localError();
        if (local) throw new LocalReadError(`cannot read the file: ${(local as NodeJS.ErrnoException).code ?? (local as Error).message ?? String(local)}`);
        const code = connectionCode(err);
        if (code === 'unexpected redirect') throw new Redirected(this.server, undefined);
        failure = new ServerUnreachable(this.server, code);
      }
      if (res && res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        throw new Redirected(this.server, res.headers.get('location') ?? undefined);
      }
      if (res && !RETRY_STATUSES.has(res.status)) return res;
      let delay = backoff(this.retry, attempt);
      if (res) {
        failure = new ApiError(res.status, detailOf(await readJson(res), res));
        const after = retryAfterMs(res.headers);
        if (after !== undefined) delay = Math.min(after, this.retry.maxRetryAfterMs);
      }
      if (attempt >= attempts) throw failure!;
      this.options.onRetry?.(what, failure!.message, delay);
      await sleep(delay, undefined, { signal });
    }
  }
}

function toStream(iterator: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.75 + Math.random() * 0.25));
}

/** `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function connectionCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return text.trim().slice(0, 200) || undefined;
  }
}

/** The server's `detail` (§2.1): a string, FastAPI's `[{loc, msg}]`, or `message`/`error`. */
export function detailOf(body: unknown, res: { status: number; statusText: string }): string {
  if (typeof body === 'string' && body) return body;
  if (body && typeof body === 'object') {
    const b = body as { detail?: unknown; message?: unknown; error?: unknown };
    if (typeof b.detail === 'string') return b.detail;
    if (Array.isArray(b.detail) && b.detail.length) {
      return b.detail
        .map((item: { loc?: unknown[]; msg?: unknown }) => {
          const loc = Array.isArray(item?.loc) ? item.loc.filter((p, i) => !(i === 0 && p === 'body')).join('.') : '';
          return `${loc ? `${loc}: ` : ''}${String(item?.msg ?? JSON.stringify(item))}`;
        })
        .join('; ');
    }
    if (typeof b.message === 'string') return b.message;
    if (typeof b.error === 'string') return b.error;
    if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') return (b.error as { message: string }).message;
  }
  return res.statusText || `HTTP ${res.status}`;
}

/**
 * The form around the file, as browsers and undici encode it (RFC 7578: UTF-8 names, with `"`,
 * CR and LF percent-encoded); fields first, so a server can read them before the bytes.
 */
function multipart(fields: [string, string][], fileName: string, mimeType: string, fileSize: number) {
  const boundary = `----eucalypt-import-${randomBytes(12).toString('hex')}`;
  const escape = (s: string) => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="asset_data"; filename="${escape(fileName)}"\r\nContent-Type: ${mimeType}\r\n\r\n`);
  const head = Buffer.from(parts.join(''));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { head, tail, length: head.length + fileSize + tail.length, contentType: `multipart/form-data; boundary=${boundary}` };
}
