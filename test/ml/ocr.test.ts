import { describe, expect, it } from 'vitest';
import { keepWord } from '../../src/ml/ocr.js';

describe('keepWord (which OCR tokens reach the search document)', () => {
  it.each([
    ['Quantum', 93, 'Quantum'],
    ['Box:', 96, 'Box'],
    ['2-Dimensional', 89, '2-Dimensional'],
    ['2015', 90, '2015'],
    ['Quantum', 60, undefined],
    ['a', 95, undefined],
    ['TT', 80, 'TT'],
    ['1', 96, undefined],
    ['{I', 90, undefined],
    ['a1', 90, undefined],
    ['|', 91, undefined],
  ])('%s at %i → %s', (text, confidence, expected) => expect(keepWord(text, confidence)).toBe(expected));
});
