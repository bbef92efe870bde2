import { describe, expect, it } from 'vitest';
import { buildSearchDocument, dateWords, fileNameWords } from '../../src/domain/search-document.js';

describe('buildSearchDocument', () => {
  it('gathers every known source, folded, one line each', () => {
    const doc = buildSearchDocument({
      fileName: 'IMG_2682.heic',
      description: 'Birthday at the Café',
      aiDescription: 'A red bicycle leaning on a wall',
      make: 'Canon',
      model: 'Canon EOS 5D Mark III',
      lensModel: 'EF24-70mm f/2.8L',
      city: 'Zürich',
      state: 'Zurich',
      country: 'Switzerland',
      countryCode: 'CH',
      displayLabel: 'Zürich, Zurich',
      localWall: '2015-04-10T20:12:23.016',
      labels: ['bicycle', 'person'],
      ocrText: 'STOP',
      people: ['Barack Obama'],
      albums: ['Holidays 2015'],
    });
    expect(doc.split('\n')).toEqual([
      'img 2682 heic',
      'birthday at the cafe',
      'a red bicycle leaning on a wall',
      'canon eos 5d mark iii ef24-70mm f/2.8l',
      'zurich switzerland',
      '2015 april',
      'bicycle person people',
      'stop',
      'barack obama',
      'holidays 2015',
    ]);
  });

  it('adds common country aliases and marks videos', () => {
    const doc = buildSearchDocument({ fileName: 'clip.mov', country: 'United Kingdom', countryCode: 'GB', mediaType: 'video' });
    expect(doc).toBe('clip mov\nunited kingdom\nuk britain\nvideo');
  });

  it('leaves unknown sources out', () => {
    expect(buildSearchDocument({ fileName: 'a.jpg', description: null, labels: [], ocrText: '' })).toBe('a jpg');
  });
});

describe('document pieces', () => {
  it.each([
    ['spain_madrid_iphone6.jpg', 'spain madrid iphone6 jpg'],
    ['kitWithRose.png', 'kit With Rose png'],
    ['Landscape-0 (copy).JPG', 'Landscape 0 copy JPG'],
  ])('file name %s → %s', (name, expected) => expect(fileNameWords(name)).toBe(expected));

  it('names the year and month of the capture wall clock', () => {
    expect(dateWords('2008-12-31T23:59:59.000')).toBe('2008 december');
    expect(dateWords(null)).toBe('');
  });
});
