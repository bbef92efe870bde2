import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/domain/byte-range.js';
import { expiryFor, signature, signedQuery, verify } from '../../src/domain/signed-url.js';

describe('signed media URLs', () => {
  const params = { v: 'asset_version_x', exp: 2_000_000_000, w: 360, f: 'webp' };
  it('verifies what it signed and rejects any change', () => {
    const sig = signature('s3cret', '/media/asset_a/thumbnail', params);
    expect(verify('s3cret', '/media/asset_a/thumbnail', params, sig, 1_900_000_000)).toBe('ok');
    expect(verify('s3cret', '/media/asset_b/thumbnail', params, sig, 1_900_000_000)).toBe('invalid');
    expect(verify('s3cret', '/media/asset_a/thumbnail', { ...params, w: 720 }, sig, 1_900_000_000)).toBe('invalid');
    expect(verify('other', '/media/asset_a/thumbnail', params, sig, 1_900_000_000)).toBe('invalid');
    expect(verify('s3cret', '/media/asset_a/thumbnail', params, sig.slice(1), 1_900_000_000)).toBe('invalid');
    expect(verify('s3cret', '/media/asset_a/thumbnail', params, sig, 2_000_000_001)).toBe('expired');
  });
  it('puts every signed parameter in the query', () => {
    const q = new URLSearchParams(signedQuery('k', '/p', { ...params, dl: 'IMG 1.jpg' }));
    expect(Object.fromEntries(q)).toMatchObject({ v: 'asset_version_x', w: '360', f: 'webp', dl: 'IMG 1.jpg', exp: '2000000000' });
    expect(q.get('verify')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
  it('rounds expiry up to the hour so URLs stay stable within it', () => {
    expect(expiryFor(7200, 3600)).toBe(10800);
    expect(expiryFor(7201, 3600)).toBe(14400);
    expect(expiryFor(7000, 3600)).toBe(expiryFor(7100, 3600));
  });
});

describe('parseRange', () => {
  it.each([
    [undefined, 100, { kind: 'full' }],
    ['bytes=0-9', 100, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-10', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=50-500', 100, { kind: 'partial', start: 50, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=20-10', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', 100, { kind: 'full' }],
    ['items=0-1', 100, { kind: 'full' }],
  ] as const)('%s of %i', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
