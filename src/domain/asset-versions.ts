/**
 * Rules of the version chain (spec §1.9): position 0 is the upload, the highest position is
 * current. Renderings are JPEG or PNG, at most 100 MiB before and after metadata is copied in.
 */
export const MAX_VERSION_BYTES = 100 * 1024 * 1024;
/** `params` is opaque to the server, but not unbounded. */
export const MAX_PARAMS_CHARS = 64 * 1024;

export type VersionFormat = 'image/jpeg' | 'image/png';

/** What the first bytes say: JPEG (SOI marker) or PNG (its 8-byte signature); null for anything else. */
export function sniffVersionFormat(head: Uint8Array): VersionFormat | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (head.length >= png.length && png.every((b, i) => head[i] === b)) return 'image/png';
  return null;
}

const ALIASES: Record<string, VersionFormat> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/x-png': 'image/png',
};

/** Content types that say nothing about the format (clients that do not know, or do not care). */
const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/binary', '*/*', 'image/*']);

/**
 * A concrete part Content-Type must name the sniffed format; a generic or missing one is
 * fine. Returns the problem, or null.
 */
export function contentTypeProblem(declared: string | undefined, sniffed: VersionFormat): string | null {
  const type = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  if (GENERIC.has(type)) return null;
  const named = ALIASES[type];
  if (named === sniffed) return null;
  return `The file part says ${type} but its content is ${sniffed}`;
}

export const extensionOf = (format: string) => (format === 'image/png' ? 'png' : 'jpg');

export type Parsed<T> = { ok: true; value: T } | { ok: false; msg: string; type: string };

const EXTERNAL = /^external:[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `edit` or `external:<service>`; `original` is reserved for the upload. */
export function parseKind(raw: string | undefined): Parsed<string> {
  if (raw === undefined) return { ok: false, msg: 'Field required', type: 'missing' };
  const kind = raw.trim();
  if (kind === 'original') return { ok: false, msg: "kind 'original' is reserved for the uploaded file", type: 'value_error' };
  if (kind === 'edit' || EXTERNAL.test(kind)) return { ok: true, value: kind };
  return { ok: false, msg: "kind must be 'edit' or 'external:<service>' (letters, digits, '.', '_' or '-')", type: 'value_error' };
}

/** A JSON object serialised as text; omitted = `{}`. Arrays, scalars, malformed or oversized text are refused. */
export function parseParams(raw: string | undefined): Parsed<Record<string, unknown>> {
  if (raw === undefined || raw.trim() === '') return { ok: true, value: {} };
  if (raw.length > MAX_PARAMS_CHARS) return { ok: false, msg: `params must be at most ${MAX_PARAMS_CHARS} characters of JSON`, type: 'string_too_long' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, msg: 'params must be a JSON object serialised as a string', type: 'json_invalid' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, msg: 'params must be a JSON object, not an array or a scalar', type: 'dict_type' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Canonical text of a params object (keys sorted at every depth), so equal recipes compare equal. */
export function canonicalParams(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalParams((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface ChainLink {
  id: string;
  position: number;
}

/** Why a version cannot be the subject of replace/delete: it must be the current non-original one. */
export type TopProblem = 'not_found' | 'original' | 'buried';

export function topVersionProblem(chain: readonly ChainLink[], versionId: string): TopProblem | null {
  const version = chain.find((v) => v.id === versionId);
  if (!version) return 'not_found';
  if (version.position === 0) return 'original';
  return version.position === currentOf(chain).position ? null : 'buried';
}

export function currentOf<T extends ChainLink>(chain: readonly T[]): T {
  return chain.reduce((top, v) => (v.position > top.position ? v : top));
}

/** Append is allowed only while the upload is current (otherwise: replace). */
export const canAppend = (chain: readonly ChainLink[]) => currentOf(chain).position === 0;

/** Revert: the versions above `versionId`, which go; undefined when it is not in the chain. */
export function laterThan<T extends ChainLink>(chain: readonly T[], versionId: string): T[] | undefined {
  const version = chain.find((v) => v.id === versionId);
  return version ? chain.filter((v) => v.position > version.position) : undefined;
}
