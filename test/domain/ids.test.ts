import { describe, expect, it } from 'vitest';
import { decodeShortUuid, encodeUuid, isId, newId } from '../../src/domain/ids.js';

describe('ids', () => {
  it('encodes the spec example pair both ways', () => {
    expect(`album_${encodeUuid('3475f5d0-108e-41e8-a7ed-860bd7040e13')}`).toBe('album_BM3nUmJ6fkBqBADyz5FEiu');
    expect(decodeShortUuid('BM3nUmJ6fkBqBADyz5FEiu')).toBe('3475f5d0-108e-41e8-a7ed-860bd7040e13');
  });

  it('left-pads small numbers with the first letter of the alphabet', () => {
    expect(encodeUuid('00000000-0000-0000-0000-000000000000')).toBe('2'.repeat(22));
    expect(encodeUuid('00000000-0000-0000-0000-000000000001')).toBe(`${'2'.repeat(21)}3`);
    expect(decodeShortUuid(`${'2'.repeat(21)}3`)).toBe('00000000-0000-0000-0000-000000000001');
  });

  it('round-trips the largest UUID in 22 characters', () => {
    const max = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
    expect(encodeUuid(max)).toHaveLength(22);
    expect(decodeShortUuid(encodeUuid(max))).toBe(max);
  });

  it('round-trips random ids', () => {
    for (let i = 0; i < 200; i++) {
      const id = newId('asset');
      expect(id).toMatch(/^asset_[23456789A-HJ-NP-Za-km-z]{22}$/);
      const uuid = decodeShortUuid(id.slice(6))!;
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(encodeUuid(uuid)).toBe(id.slice(6));
    }
  });

  it('rejects malformed ids', () => {
    expect(decodeShortUuid('BM3nUmJ6fkBqBADyz5FEi')).toBeUndefined(); // 21 chars
    expect(decodeShortUuid('BM3nUmJ6fkBqBADyz5FEi0')).toBeUndefined(); // 0 not in alphabet
    expect(decodeShortUuid('zzzzzzzzzzzzzzzzzzzzzz')).toBeUndefined(); // > 2^128
    expect(isId('asset', 'album_BM3nUmJ6fkBqBADyz5FEiu')).toBe(false);
    expect(isId('album', 'album_BM3nUmJ6fkBqBADyz5FEiu')).toBe(true);
  });
});
