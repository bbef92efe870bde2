import { describe, expect, it } from 'vitest';
import { type ClusterFace, type ClusterThresholds, cohesion, cosineDistance, fromBytes, linkGroups, normalise, percentile, planClustering, toBytes } from '../../src/domain/face-clustering.js';

const T: ClusterThresholds = { assign: 0.3, keep: 0.35, cohesionP90: 0.45, margin: 0.03, link: 0.3, minGroup: 2, candidateWindow: 0.6, candidates: 5 };

/** Unit vectors in 3-d at an angle (degrees) in the xy-plane, or around the z axis for a second "identity". */
const at = (deg: number, axis: 'x' | 'z' = 'x') => {
  const r = (deg * Math.PI) / 180;
  return normalise(axis === 'x' ? Float32Array.from([Math.cos(r), Math.sin(r), 0]) : Float32Array.from([0, Math.sin(r), Math.cos(r)]));
};
const face = (id: string, assetId: string, embedding: Float32Array | null, extra: Partial<ClusterFace> = {}): ClusterFace => ({
  id, assetId, personId: null, movable: true, detachedFrom: null, embedding, ...extra,
});

describe('face clustering maths', () => {
  it('cosine distance, percentiles, cohesion and byte round trip', () => {
    expect(cosineDistance(at(0), at(0))).toBeCloseTo(0, 6);
    expect(cosineDistance(at(0), at(90))).toBeCloseTo(1, 6);
    expect(percentile([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 0.9)).toBe(0.9);
    const c = cohesion([at(0), at(10), at(20)]);
    expect(c.face_count).toBe(3);
    expect(c.pairwise_p90).toBeCloseTo(cosineDistance(at(0), at(20)), 6);
    expect(Array.from(fromBytes(toBytes(at(33))))).toEqual(Array.from(at(33)));
  });

  it('new people come from dense groups; singletons stay in the pool', () => {
    const plan = planClustering([face('f1', 'a1', at(0)), face('f2', 'a2', at(5)), face('f3', 'a3', at(0, 'z')), face('f4', 'a4', at(80, 'z'))], T);
    expect(plan.newPeople).toEqual([['f1', 'f2']]);
    expect(plan.moves.size).toBe(0);
  });

  it('two faces of one asset never join one person', () => {
    expect(linkGroups([face('f1', 'a1', at(0)), face('f2', 'a1', at(1))], T)).toHaveLength(2);
    const plan = planClustering([face('f1', 'a1', at(0), { personId: 'p1' }), face('f2', 'a1', at(1))], T);
    expect(plan.moves.get('f2')).toBeUndefined();
  });

  it('assigns to the nearest person within the gate and outside the sibling margin', () => {
    const people = [face('m1', 'a1', at(0), { personId: 'p1' }), face('m2', 'a2', at(4), { personId: 'p1' }), face('n1', 'a3', at(60), { personId: 'p2' })];
    const plan = planClustering([...people, face('x', 'a4', at(8))], T);
    expect(plan.moves.get('x')).toBe('p1');
    // Equidistant between two people: no decision.
    const tie = planClustering([face('m1', 'a1', at(0), { personId: 'p1' }), face('n1', 'a3', at(40), { personId: 'p2' }), face('x', 'a4', at(20))], { ...T, assign: 0.5 });
    expect(tie.moves.has('x')).toBe(false);
  });

  it('never puts a detached face back, never moves manual or user-placed faces, releases drifted automatic ones', () => {
    const base = [face('m1', 'a1', at(0), { personId: 'p1' }), face('m2', 'a2', at(2), { personId: 'p1' })];
    expect(planClustering([...base, face('x', 'a3', at(1), { detachedFrom: 'p1' })], T).moves.has('x')).toBe(false);
    const fixed = planClustering([...base, face('u', 'a3', at(70), { personId: 'p1', movable: false })], T);
    expect(fixed.moves.has('u')).toBe(false);
    const drifted = planClustering([...base, face('d', 'a3', at(70), { personId: 'p1' })], T);
    expect(drifted.moves.get('d')).toBeNull();
  });

  it('the cohesion gate keeps a loose face out of a tight person', () => {
    const tight = [face('m1', 'a1', at(0), { personId: 'p1' }), face('m2', 'a2', at(30), { personId: 'p1' })];
    const plan = planClustering([...tight, face('x', 'a3', at(-25))], { ...T, assign: 0.2, cohesionP90: 0.1 });
    expect(plan.moves.has('x')).toBe(false);
  });
});
