import { describe, expect, it } from 'vitest';
import {
  canAppend,
  canonicalParams,
  contentTypeProblem,
  currentOf,
  laterThan,
  MAX_PARAMS_CHARS,
  parseKind,
  parseParams,
  sniffVersionFormat,
  topVersionProblem,
} from '../../src/domain/asset-versions.js';

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);

describe('sniffVersionFormat and contentTypeProblem', () => {
  it.each([
    [JPEG, 'image/jpeg'],
    [PNG, 'image/png'],
    [Uint8Array.from([0x47, 0x49, 0x46, 0x38]), null],
    [Uint8Array.from(Buffer.from('RIFF....WEBP')), null],
    [Uint8Array.from([0xff, 0xd8]), null],
    [new Uint8Array(), null],
  ])('%j sniffs as %s', (head, format) => {
    expect(sniffVersionFormat(head)).toBe(format);
  });

  it.each([
    [undefined, 'image/jpeg', true],
    ['application/octet-stream', 'image/png', true],
    ['image/jpeg', 'image/jpeg', true],
    ['IMAGE/JPG; charset=binary', 'image/jpeg', true],
    ['image/png', 'image/png', true],
    ['image/png', 'image/jpeg', false],
    ['image/jpeg', 'image/png', false],
    ['image/webp', 'image/jpeg', false],
    ['text/plain', 'image/jpeg', false],
  ] as const)('declared %s with content %s agrees: %s', (declared, sniffed, ok) => {
    expect(contentTypeProblem(declared, sniffed) === null).toBe(ok);
  });
});

describe('parseKind and parseParams', () => {
  it.each([
    ['edit', true],
    ['external:snapseed', true],
    ['external:lightroom.cc-v2_1', true],
    [' edit ', true],
    ['original', false],
    ['external:', false],
    ['external:has space', false],
    ['filter', false],
    [undefined, false],
  ])('kind %j accepted: %s', (raw, ok) => {
    expect(parseKind(raw).ok).toBe(ok);
  });

  it.each([
    [undefined, {}],
    ['', {}],
    ['{"crop":[0,0,10,10],"exposure":0.3}', { crop: [0, 0, 10, 10], exposure: 0.3 }],
  ])('params %j → %j', (raw, value) => {
    expect(parseParams(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['[1,2]', 'dict_type'],
    ['3', 'dict_type'],
    ['null', 'dict_type'],
    ['"x"', 'dict_type'],
    ['{"a":', 'json_invalid'],
    [`{"a":"${'x'.repeat(MAX_PARAMS_CHARS)}"}`, 'string_too_long'],
  ])('params %s rejected as %s', (raw, type) => {
    const r = parseParams(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.type).toBe(type);
  });

  it('canonical params ignore key order at every depth', () => {
    expect(canonicalParams({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalParams({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalParams({ a: 1 })).not.toBe(canonicalParams({ a: 2 }));
  });
});

describe('chain rules', () => {
  const chain = [
    { id: 'v0', position: 0 },
    { id: 'v1', position: 1 },
    { id: 'v2', position: 2 },
  ];
  it('current is the highest position; append only on the original', () => {
    expect(currentOf(chain).id).toBe('v2');
    expect(canAppend(chain)).toBe(false);
    expect(canAppend(chain.slice(0, 1))).toBe(true);
  });
  it.each([
    ['v2', null],
    ['v1', 'buried'],
    ['v0', 'original'],
    ['nope', 'not_found'],
  ])('replace/delete of %s: %s', (id, problem) => {
    expect(topVersionProblem(chain, id)).toBe(problem);
  });
  it('revert drops every later version; none for the current; undefined for a stranger', () => {
    expect(laterThan(chain, 'v0')?.map((v) => v.id)).toEqual(['v1', 'v2']);
    expect(laterThan(chain, 'v2')).toEqual([]);
    expect(laterThan(chain, 'nope')).toBeUndefined();
  });
});
