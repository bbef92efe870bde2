import { describe, expect, it } from 'vitest';
import { displayLabel, type LabelFields } from '../../src/domain/display-label.js';

const FIELDS = ['place_name', 'sublocation', 'city', 'state', 'country'] as const;
const VALUES: Required<{ [K in keyof LabelFields]: string }> = {
  place_name: 'Golden Gate Bridge',
  sublocation: 'Presidio',
  city: 'San Francisco',
  state: 'California',
  country: 'United States',
};

// Mask letters in FIELDS order: P(lace) S(ublocation) C(ity) T (sTate) N (couNtry); '-' = absent.
const TABLE: Array<[mask: string, expected: string | null]> = [
  ['-----', null],
  ['----N', 'United States'],
  ['---T-', 'California'],
  ['---TN', 'California, United States'],
  ['--C--', 'San Francisco'],
  ['--C-N', 'San Francisco, United States'],
  ['--CT-', 'San Francisco, California'],
  ['--CTN', 'San Francisco, California'],
  ['-S---', 'Presidio'],
  ['-S--N', 'Presidio, United States'],
  ['-S-T-', 'Presidio, California'],
  ['-S-TN', 'Presidio, California'],
  ['-SC--', 'Presidio, San Francisco'],
  ['-SC-N', 'Presidio, San Francisco, United States'],
  ['-SCT-', 'Presidio, San Francisco, California'],
  ['-SCTN', 'Presidio, San Francisco, California'],
  ['P----', 'Golden Gate Bridge'],
  ['P---N', 'Golden Gate Bridge, United States'],
  ['P--T-', 'Golden Gate Bridge, California'],
  ['P--TN', 'Golden Gate Bridge, California'],
  ['P-C--', 'Golden Gate Bridge, San Francisco'],
  ['P-C-N', 'Golden Gate Bridge, San Francisco, United States'],
  ['P-CT-', 'Golden Gate Bridge, San Francisco, California'],
  ['P-CTN', 'Golden Gate Bridge, San Francisco, California'],
  ['PS---', 'Golden Gate Bridge'],
  ['PS--N', 'Golden Gate Bridge, United States'],
  ['PS-T-', 'Golden Gate Bridge, California'],
  ['PS-TN', 'Golden Gate Bridge, California'],
  ['PSC--', 'Golden Gate Bridge, San Francisco'],
  ['PSC-N', 'Golden Gate Bridge, San Francisco, United States'],
  ['PSCT-', 'Golden Gate Bridge, San Francisco, California'],
  ['PSCTN', 'Golden Gate Bridge, San Francisco, California'],
];

// An absent field may arrive omitted, as null or as a blank string; all must mean the same.
const ABSENT: Array<[string, (fields: LabelFields, key: (typeof FIELDS)[number]) => void]> = [
  ['omitted', () => {}],
  ['null', (f, k) => void (f[k] = null)],
  ['blank', (f, k) => void (f[k] = '  ')],
];

function fieldsFor(mask: string, absent: (fields: LabelFields, key: (typeof FIELDS)[number]) => void): LabelFields {
  const fields: LabelFields = {};
  FIELDS.forEach((key, i) => (mask[i] === '-' ? absent(fields, key) : (fields[key] = VALUES[key])));
  return fields;
}

describe('displayLabel', () => {
  it('has one row for each of the 32 combinations of present fields', () => {
    expect(TABLE).toHaveLength(32);
    expect(new Set(TABLE.map(([mask]) => mask.replace(/[^-]/g, '+'))).size).toBe(32);
  });

  for (const [absentAs, absent] of ABSENT) {
    it.each(TABLE)(`%s (absent fields ${absentAs}) → %j`, (mask, expected) => {
      expect(displayLabel(fieldsFor(mask, absent))).toBe(expected);
    });
  }

  it.each<[string, LabelFields, string]>([
    ['city-state: city equals country', { city: 'Singapore', country: 'Singapore' }, 'Singapore'],
    ['city equals state: the country gives the context', { city: 'Madrid', state: 'Madrid', country: 'Spain' }, 'Madrid, Spain'],
    ['city equals state, no country', { city: 'Vienna', state: 'Vienna' }, 'Vienna'],
    ['place name equals city', { place_name: 'Paris', city: 'Paris', state: 'Île-de-France' }, 'Paris, Île-de-France'],
    ['comparison ignores case', { place_name: 'MONACO', city: 'Monaco', country: 'Monaco' }, 'MONACO'],
    ['comparison keeps accents apart', { city: 'Reykjavík', state: 'Reykjavik' }, 'Reykjavík, Reykjavik'],
    ['state equals country without a city', { state: 'Monaco', country: 'Monaco' }, 'Monaco'],
    ['parts are trimmed', { city: ' Paris ', country: 'France\n' }, 'Paris, France'],
  ])('%s', (_name, fields, expected) => {
    expect(displayLabel(fields)).toBe(expected);
  });
});
