import { describe, expect, it } from 'vitest';
import { applyRerank, reciprocalRankFusion, RRF_K } from '../../src/domain/rank-fusion.js';

describe('reciprocalRankFusion', () => {
  it('sums 1/(k + rank) over the lists that hold an item', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'c', 'b']);
    expect(fused[0].score).toBeCloseTo(1 / (RRF_K + 1) + 1 / (RRF_K + 2));
    expect(fused[1].score).toBeCloseTo(1 / (RRF_K + 3) + 1 / (RRF_K + 1));
    expect(fused[2]).toEqual({ id: 'b', score: 1 / (RRF_K + 2), bestRank: 2 });
  });

  it('an item found by two stages beats one found by one stage at the same rank', () => {
    expect(reciprocalRankFusion([['x', 'both'], ['both', 'y']]).map((f) => f.id)).toEqual(['both', 'x', 'y']);
  });

  it('breaks ties by best rank, then by stage order, then by position', () => {
    expect(reciprocalRankFusion([['a'], ['b']]).map((f) => f.id)).toEqual(['a', 'b']);
    expect(reciprocalRankFusion([['b'], ['a']]).map((f) => f.id)).toEqual(['b', 'a']);
  });

  it('counts a duplicate within one list once, at its first position', () => {
    const fused = reciprocalRankFusion([['a', 'a', 'b']]);
    expect(fused).toEqual([
      { id: 'a', score: 1 / (RRF_K + 1), bestRank: 1 },
      { id: 'b', score: 1 / (RRF_K + 2), bestRank: 2 },
    ]);
  });

  it('is empty for no lists or empty lists', () => {
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });

  it('honours a different k', () => {
    expect(reciprocalRankFusion([['a']], 0)[0].score).toBe(1);
  });
});

describe('applyRerank', () => {
  it('reorders by the reranker, keeping items it left out in fused order after', () => {
    expect(applyRerank(['a', 'b', 'c', 'd'], [2, 0])).toEqual(['c', 'a', 'b', 'd']);
  });
  it('ignores repeated and out-of-range indexes', () => {
    expect(applyRerank(['a', 'b'], [1, 1, 7, -1, 0.5])).toEqual(['b', 'a']);
  });
});
