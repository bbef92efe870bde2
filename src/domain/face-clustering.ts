/**
 * Grouping a library's faces into people: pure maths over unit-length embeddings, cosine
 * distance (1 − dot product). The thresholds are calibrated for human's FaceRes descriptor in
 * docs/face-calibration.md; nothing here knows which model made the vectors.
 */

export type Vector = Float32Array;

export interface ClusterThresholds {
  /**
   * A pool face joins a person only when its centroid is at most `assign + (link − assign) / n`
   * away (n = the person's embedded faces): a one-face "centroid" is just a face, so the gate
   * starts at the pairwise `link` and tightens towards `assign` as the centroid firms up.
   */
  assign: number;
  /** An automatic assignment is kept on re-clustering while the face stays this close to its person's centroid. */
  keep: number;
  /** Cohesion: p90 of the distances from the face to the person's faces stays at most this. */
  cohesionP90: number;
  /** The best person must beat the second best by at least this (else the face stays in the pool). */
  margin: number;
  /** New people: average-linkage distance under which pool faces form one group. */
  link: number;
  /** Smallest group of pool faces that becomes a new person. */
  minGroup: number;
  /** `cluster_assignment.candidates`: people within this distance, at most `candidates` of them. */
  candidateWindow: number;
  candidates: number;
}

export function cosineDistance(a: Vector, b: Vector): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return 1 - dot;
}

export function normalise(v: Vector): Vector {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

/** Unit-length mean; undefined for no vectors. */
export function centroidOf(vectors: Vector[]): Vector | undefined {
  if (vectors.length === 0) return undefined;
  const sum = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) sum[i] += v[i];
  return normalise(sum);
}

/** Nearest-rank percentile of sorted values (p in 0..1). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export interface Cohesion {
  face_count: number;
  pairwise_mean: number;
  pairwise_p90: number;
}

/** Pairwise cosine distances of a person's embedded faces (spec §2.14 ClusterMetricsResponse). */
export function cohesion(vectors: Vector[]): Cohesion {
  const d: number[] = [];
  for (let i = 0; i < vectors.length; i++) for (let j = i + 1; j < vectors.length; j++) d.push(cosineDistance(vectors[i], vectors[j]));
  d.sort((a, b) => a - b);
  const mean = d.length ? d.reduce((s, x) => s + x, 0) / d.length : 0;
  return { face_count: vectors.length, pairwise_mean: mean, pairwise_p90: percentile(d, 0.9) };
}

export interface Candidate {
  person_id: string;
  distance: number;
}

/** People by ascending distance of their centroid to `v`. */
export function rankPeople(v: Vector, centroids: ReadonlyMap<string, Vector>): Candidate[] {
  return [...centroids].map(([person_id, c]) => ({ person_id, distance: cosineDistance(v, c) })).sort((a, b) => a.distance - b.distance || (a.person_id < b.person_id ? -1 : 1));
}

export interface ClusterFace {
  id: string;
  assetId: string;
  personId: string | null;
  /** Automatic and not placed by a user: clustering may assign, keep or release it. */
  movable: boolean;
  detachedFrom: string | null;
  embedding: Vector | null;
}

export interface ClusterPlan {
  /** Faces whose person changes (null = back to the pool). */
  moves: Map<string, string | null>;
  /** Groups of pool faces that become new people, in a stable order. */
  newPeople: string[][];
}

/** Per-person state while planning: members' vectors, running sum and assets. */
class Group {
  readonly vectors = new Map<string, Vector>();
  readonly assets = new Map<string, number>();
  private sum: Float32Array | undefined;
  centroid: Vector | undefined;

  add(face: ClusterFace): void {
    this.assets.set(face.assetId, (this.assets.get(face.assetId) ?? 0) + 1);
    if (!face.embedding) return;
    this.vectors.set(face.id, face.embedding);
    this.sum ??= new Float32Array(face.embedding.length);
    for (let i = 0; i < face.embedding.length; i++) this.sum[i] += face.embedding[i];
    this.centroid = normalise(this.sum);
  }

  remove(face: ClusterFace): void {
    const n = (this.assets.get(face.assetId) ?? 1) - 1;
    if (n > 0) this.assets.set(face.assetId, n);
    else this.assets.delete(face.assetId);
    if (!face.embedding || !this.vectors.delete(face.id) || !this.sum) return;
    for (let i = 0; i < face.embedding.length; i++) this.sum[i] -= face.embedding[i];
    this.centroid = this.vectors.size ? normalise(this.sum) : undefined;
  }

  /** p90 of the distances from `v` to the members (the cohesion the person would have with it). */
  p90To(v: Vector): number {
    const d = [...this.vectors.values()].map((m) => cosineDistance(v, m)).sort((a, b) => a - b);
    return percentile(d, 0.9);
  }
}

/**
 * One clustering pass over a library:
 * 1. Revisit: an automatic assignment whose face drifted beyond `keep` from its person's
 *    centroid (computed without that face) goes back to the pool.
 * 2. Assign: pool faces, closest first, join the nearest person when within `assign`, ahead of
 *    the runner-up by `margin`, keeping the person's p90 within `cohesionP90`, never a second
 *    face of one asset, never the person a user detached the face from.
 * 3. New people: average-linkage groups of what is left in the pool (distance under `link`,
 *    no two faces of one asset) of at least `minGroup` faces.
 * Manual and user-placed faces are never moved; they only shape their people.
 */
export function planClustering(faces: ClusterFace[], t: ClusterThresholds): ClusterPlan {
  const groups = new Map<string, Group>();
  const groupOf = (id: string) => {
    let g = groups.get(id);
    if (!g) groups.set(id, (g = new Group()));
    return g;
  };
  for (const f of faces) if (f.personId) groupOf(f.personId).add(f);

  const moves = new Map<string, string | null>();
  const pool: ClusterFace[] = [];

  // 1. Revisit automatic assignments (largest drift first, one at a time, so centroids stay honest).
  const assigned = faces.filter((f) => f.movable && f.personId && f.embedding);
  const drift = (f: ClusterFace) => {
    const g = groups.get(f.personId!)!;
    if (g.vectors.size < 2) return 0;
    g.remove(f);
    const d = g.centroid ? cosineDistance(f.embedding!, g.centroid) : 0;
    g.add(f);
    return d;
  };
  for (const f of assigned.map((f) => ({ f, d: drift(f) })).sort((a, b) => b.d - a.d)) {
    if (drift(f.f) > t.keep) {
      groups.get(f.f.personId!)!.remove(f.f);
      moves.set(f.f.id, null);
      pool.push(f.f);
    }
  }
  for (const f of faces) if (f.movable && !f.personId && f.embedding) pool.push(f);

  // 2. Assign pool faces to existing people, the most confident first.
  let remaining = pool;
  for (;;) {
    let best: { face: ClusterFace; person: string; distance: number } | undefined;
    for (const face of remaining) {
      const choice = bestPerson(face, groups, t);
      if (choice && (!best || choice.distance < best.distance)) best = { face, ...choice };
    }
    if (!best) break;
    groups.get(best.person)!.add(best.face);
    if (best.face.personId === best.person) moves.delete(best.face.id);
    else moves.set(best.face.id, best.person);
    remaining = remaining.filter((f) => f !== best.face);
  }

  // 3. Dense groups of what is left become new people.
  const newPeople = linkGroups(remaining, t).filter((g) => g.length >= t.minGroup).map((g) => g.map((f) => f.id));
  for (const ids of newPeople) for (const id of ids) moves.delete(id);
  return { moves, newPeople };
}

export const assignGate = (t: Pick<ClusterThresholds, 'assign' | 'link'>, members: number) => t.assign + (t.link - t.assign) / Math.max(1, members);

function bestPerson(face: ClusterFace, groups: Map<string, Group>, t: ClusterThresholds): { person: string; distance: number } | undefined {
  const ranked: Candidate[] = [];
  for (const [id, g] of groups) {
    if (!g.centroid) continue;
    ranked.push({ person_id: id, distance: cosineDistance(face.embedding!, g.centroid) });
  }
  ranked.sort((a, b) => a.distance - b.distance);
  const [first, second] = ranked;
  if (!first || first.distance > assignGate(t, groups.get(first.person_id)!.vectors.size)) return undefined;
  if (second && second.distance - first.distance < t.margin) return undefined;
  if (first.person_id === face.detachedFrom) return undefined;
  const g = groups.get(first.person_id)!;
  if (g.assets.has(face.assetId)) return undefined;
  if (g.vectors.size > 0 && g.p90To(face.embedding!) > t.cohesionP90) return undefined;
  return { person: first.person_id, distance: first.distance };
}

/**
 * Average-linkage agglomeration with a cannot-link rule (two faces of one asset never share a
 * group): repeatedly merges the two closest groups while their mean pairwise distance is
 * below `link`. O(n³) in the pool size, which stays small (faces no person took).
 */
export function linkGroups(faces: ClusterFace[], t: Pick<ClusterThresholds, 'link'>): ClusterFace[][] {
  const items = faces.filter((f) => f.embedding);
  const n = items.length;
  const d: number[][] = items.map((a) => items.map((b) => cosineDistance(a.embedding!, b.embedding!)));
  let groups = items.map((f, i) => ({ members: [i], assets: new Set([f.assetId]) }));
  for (;;) {
    let best: { a: number; b: number; distance: number } | undefined;
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        const ga = groups[a];
        const gb = groups[b];
        if ([...gb.assets].some((x) => ga.assets.has(x))) continue;
        let sum = 0;
        for (const i of ga.members) for (const j of gb.members) sum += d[i][j];
        const distance = sum / (ga.members.length * gb.members.length);
        if (distance < t.link && (!best || distance < best.distance)) best = { a, b, distance };
      }
    }
    if (!best) break;
    const merged = { members: [...groups[best.a].members, ...groups[best.b].members], assets: new Set([...groups[best.a].assets, ...groups[best.b].assets]) };
    groups = groups.filter((_, i) => i !== best.a && i !== best.b);
    groups.push(merged);
  }
  void n;
  return groups
    .map((g) => g.members.map((i) => items[i]).sort((x, y) => (x.id < y.id ? -1 : 1)))
    .sort((x, y) => y.length - x.length || (x[0].id < y[0].id ? -1 : 1));
}

/** Float32 little-endian bytes, as stored in `faces.embedding` and `people.centroid`. */
export function toBytes(v: Vector): Buffer {
  const out = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i], i * 4);
  return out;
}

export function fromBytes(b: Uint8Array): Vector {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}
