/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each stage's ranked list
 * gives an item 1 / (k + rank), rank counted from 1; an item's score is the sum over the lists
 * that hold it. Scores depend only on ranks, so stages with incomparable scores (bm25, cosine
 * distance) fuse without calibration. k = 60 is the paper's constant.
 */
export const RRF_K = 60;

export interface Fused {
  id: string;
  score: number;
  /** The item's best (lowest) rank in any list, from 1. */
  bestRank: number;
}

/**
 * Fused order: score descending; ties go to the better best rank, then to the earlier list
 * (stages are passed in priority order), then to the position there. Duplicates within one
 * list count once, at their first position.
 */
export function reciprocalRankFusion(lists: readonly (readonly string[])[], k = RRF_K): Fused[] {
  const byId = new Map<string, Fused & { firstList: number; firstPos: number }>();
  lists.forEach((list, listIndex) => {
    const seen = new Set<string>();
    list.forEach((id, position) => {
      if (seen.has(id)) return;
      seen.add(id);
      const rank = seen.size;
      const entry = byId.get(id);
      if (entry) {
        entry.score += 1 / (k + rank);
        entry.bestRank = Math.min(entry.bestRank, rank);
      } else {
        byId.set(id, { id, score: 1 / (k + rank), bestRank: rank, firstList: listIndex, firstPos: position });
      }
    });
  });
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || a.bestRank - b.bestRank || a.firstList - b.firstList || a.firstPos - b.firstPos)
    .map(({ id, score, bestRank }) => ({ id, score, bestRank }));
}

/**
 * Applies a reranker's verdict to the head of a fused list: `order` holds indexes into `head`
 * (best first); indexes it leaves out keep their fused order after the ones it ranked.
 * Invalid or repeated indexes are ignored, so a misbehaving reranker cannot lose an item.
 */
export function applyRerank<T>(head: readonly T[], order: readonly number[]): T[] {
  const taken = new Set<number>();
  const out: T[] = [];
  for (const i of order) {
    if (!Number.isInteger(i) || i < 0 || i >= head.length || taken.has(i)) continue;
    taken.add(i);
    out.push(head[i]);
  }
  head.forEach((item, i) => {
    if (!taken.has(i)) out.push(item);
  });
  return out;
}
