import { describe, expect, it } from 'vitest';
import { closeWords, editDistance, foldText, queryTerms, typoBudget, vocabularyOf, words } from '../../src/domain/search-text.js';

describe('foldText', () => {
  it.each([
    ['Ñandú São Tomé', 'nandu sao tome'],
    ['Straße Æbeltoft Øresund Łódź', 'strasse aebeltoft oresund lodz'],
    ['Ｆｕｌｌｗｉｄｔｈ', 'fullwidth'],
    ['Zürich ÎLE-DE-FRANCE', 'zurich ile-de-france'],
    ['Český Krumlov', 'cesky krumlov'],
  ])('%s → %s', (input, expected) => expect(foldText(input)).toBe(expected));
});

describe('words and query terms', () => {
  it('splits on anything but letters and digits', () => {
    expect(words('IMG_2682.heic, 2-Dimensional')).toEqual(['img', '2682', 'heic', '2', 'dimensional']);
  });
  it('drops stopwords and duplicates, keeps order', () => {
    expect(queryTerms('Photos of the dog and the DOG on a beach')).toEqual(['dog', 'beach']);
  });
  it('keeps stopwords when nothing else is left', () => {
    expect(queryTerms('the')).toEqual(['the']);
  });
  it('returns nothing for punctuation only', () => {
    expect(queryTerms('?!  --')).toEqual([]);
  });
  it('caps the number of terms', () => {
    expect(queryTerms(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '))).toHaveLength(16);
  });
});

describe('editDistance', () => {
  it.each([
    ['nikon', 'nikon', 0],
    ['nikn', 'nikon', 1],
    ['nkion', 'nikon', 1],
    ['madird', 'madrid', 1],
    ['kitten', 'sitting', 3],
  ])('%s ↔ %s = %i', (a, b, d) => expect(editDistance(a, b, 5)).toBe(d));
  it('stops at max + 1', () => {
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });
});

describe('typo tolerance', () => {
  it('allows no edit below 4 letters or for numbers, one from 4, two from 8', () => {
    expect([typoBudget('cat'), typoBudget('2015'), typoBudget('bird'), typoBudget('wavefunction')]).toEqual([0, 0, 1, 2]);
  });
  it('finds close indexed words, closest first', () => {
    expect(closeWords('madird', ['madrid', 'madeira', 'paris', 'madrids'])).toEqual(['madrid']);
    expect(closeWords('madrd', ['madrids', 'madrid'])).toEqual(['madrid']);
    expect(closeWords('wavefuncton', ['wavefunction', 'function'])).toEqual(['wavefunction']);
    expect(closeWords('cat', ['car', 'bat'])).toEqual([]);
  });
  it('remembers words of 4–40 characters that have a letter', () => {
    expect(vocabularyOf('img 2682 heic\nspain madrid madrid')).toEqual(['heic', 'spain', 'madrid']);
  });
});
