/**
 * Clustering quality against labels: pairwise precision and BCubed precision/recall/F1
 * (Amigó et al. 2009). Every item has a true label and a predicted cluster; an item left
 * unclustered is its own singleton cluster.
 */
export interface Labelled {
  truth: string;
  cluster: string | null;
}

export interface ClusterScores {
  /** Of the pairs put together, the share that truly belong together (1 when no pair was formed). */
  pairPrecision: number;
  bcubedPrecision: number;
  bcubedRecall: number;
  bcubedF1: number;
}

export function scoreClusters(items: Labelled[]): ClusterScores {
  const clusterOf = items.map((it, i) => it.cluster ?? `__single_${i}`);
  let together = 0;
  let correct = 0;
  let p = 0;
  let r = 0;
  for (let i = 0; i < items.length; i++) {
    let sameCluster = 0;
    let sameBoth = 0;
    let sameTruth = 0;
    for (let j = 0; j < items.length; j++) {
      const c = clusterOf[j] === clusterOf[i];
      const t = items[j].truth === items[i].truth;
      if (c) sameCluster++;
      if (t) sameTruth++;
      if (c && t) sameBoth++;
      if (j > i && c) {
        together++;
        if (t) correct++;
      }
    }
    p += sameBoth / sameCluster;
    r += sameBoth / sameTruth;
  }
  const n = items.length || 1;
  const bp = items.length ? p / n : 1;
  const br = items.length ? r / n : 1;
  return { pairPrecision: together ? correct / together : 1, bcubedPrecision: bp, bcubedRecall: br, bcubedF1: bp + br ? (2 * bp * br) / (bp + br) : 0 };
}
