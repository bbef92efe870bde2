import { describe, expect, it } from 'vitest';
import { classifyAdditions, countDeltas, DEFAULT_ALBUM_NAME, effectiveCover } from '../../src/domain/albums.js';

describe('classifyAdditions', () => {
  const live = new Set(['a', 'b', 'c']);
  const linked = new Set(['b']);
  it.each([
    [['a'], { added_assets: ['a'], duplicate_assets: [], not_found_assets: [] }],
    [['b'], { added_assets: [], duplicate_assets: ['b'], not_found_assets: [] }],
    [['x'], { added_assets: [], duplicate_assets: [], not_found_assets: ['x'] }],
    [['c', 'x', 'b', 'a'], { added_assets: ['c', 'a'], duplicate_assets: ['b'], not_found_assets: ['x'] }],
    [['a', 'a', 'x', 'x', 'b', 'b'], { added_assets: ['a'], duplicate_assets: ['b'], not_found_assets: ['x'] }],
    [[], { added_assets: [], duplicate_assets: [], not_found_assets: [] }],
  ])('%j → each distinct id once, in request order', (requested, expected) => {
    expect(classifyAdditions(requested, live, linked)).toEqual(expected);
  });
  it('a linked id that is no longer live (trashed) is not found, not a duplicate', () => {
    expect(classifyAdditions(['z'], new Set(), new Set(['z']))).toEqual({ added_assets: [], duplicate_assets: [], not_found_assets: ['z'] });
  });
});

describe('effectiveCover', () => {
  it.each([
    ['the explicit cover while it is a live member', 'a', ['a', 'b'], 'b', 'a'],
    ['the newest live member when the explicit one is trashed or gone', 'a', ['b'], 'b', 'b'],
    ['the newest live member when none was chosen', null, ['b'], 'b', 'b'],
    ['null when nothing is live', 'a', [], null, null],
    ['null for an empty album', null, [], null, null],
  ] as const)('%s', (_name, explicit, members, newest, expected) => {
    expect(effectiveCover(explicit, new Set(members), newest)).toBe(expected);
  });
});

describe('countDeltas', () => {
  it('adds one per link, by album, with the sign given, on top of what is there', () => {
    const start = new Map([['x', 0]]);
    expect(countDeltas([{ album_id: 'a' }, { album_id: 'b' }, { album_id: 'a' }], -1, start)).toEqual(new Map([['x', 0], ['a', -2], ['b', -1]]));
    expect(countDeltas([{ album_id: 'a' }], 1)).toEqual(new Map([['a', 1]]));
  });
});

it('an album created without a name is "Untitled"', () => {
  expect(DEFAULT_ALBUM_NAME).toBe('Untitled');
});
