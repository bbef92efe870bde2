import { randomUUID } from 'node:crypto';

/**
 * Gumnut ids are `<prefix>_<shortuuid>`: a UUID written in base 57, most significant digit
 * first, left-padded with the alphabet's first letter to 22 characters (the encoding of the
 * Python `shortuuid` library, which Gumnut clients such as the Immich adapter decode).
 */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE = BigInt(ALPHABET.length);
const LENGTH = 22;
const DIGIT = new Map([...ALPHABET].map((c, i) => [c, BigInt(i)]));

export const ID_PREFIXES = {
  asset: 'asset',
  assetVersion: 'asset_version',
  stack: 'asset_stack',
  album: 'album',
  albumAsset: 'album_asset',
  face: 'face',
  person: 'person',
  library: 'lib',
  user: 'intuser',
  apiKey: 'apikey',
  task: 'btask',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES];

export function encodeUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`encodeUuid: expected a UUID, got ${JSON.stringify(uuid)}`);
  let n = BigInt(`0x${hex}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % BASE)] + out;
    n /= BASE;
  }
  return out.padStart(LENGTH, ALPHABET[0]);
}

export function decodeShortUuid(short: string): string | undefined {
  if (short.length !== LENGTH) return undefined;
  let n = 0n;
  for (const c of short) {
    const d = DIGIT.get(c);
    if (d === undefined) return undefined;
    n = n * BASE + d;
  }
  if (n >= 1n << 128n) return undefined;
  const hex = n.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${encodeUuid(randomUUID())}`;
}

/** True when `id` is exactly `<prefix>_` followed by a valid 22-character shortuuid. */
export function isId(prefix: IdPrefix, id: string): boolean {
  return id.startsWith(`${prefix}_`) && decodeShortUuid(id.slice(prefix.length + 1)) !== undefined;
}
