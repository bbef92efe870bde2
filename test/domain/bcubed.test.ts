import { describe, expect, it } from 'vitest';
import { scoreClusters } from '../../src/domain/bcubed.js';

describe('scoreClusters', () => {
  it.each([
    ['perfect clustering', [['a', '1'], ['a', '1'], ['b', '2'], ['b', '2']], { pairPrecision: 1, bcubedPrecision: 1, bcubedRecall: 1, bcubedF1: 1 }],
    ['everything unclustered: precise, no recall', [['a', null], ['a', null]], { pairPrecision: 1, bcubedPrecision: 1, bcubedRecall: 0.5, bcubedF1: 2 / 3 }],
    ['two people in one cluster', [['a', '1'], ['b', '1']], { pairPrecision: 0, bcubedPrecision: 0.5, bcubedRecall: 1, bcubedF1: 2 / 3 }],
  ] as const)('%s', (_name, rows, expected) => {
    const scores = scoreClusters(rows.map(([truth, cluster]) => ({ truth, cluster })));
    for (const [k, v] of Object.entries(expected)) expect(scores[k as keyof typeof scores]).toBeCloseTo(v, 6);
  });
});
