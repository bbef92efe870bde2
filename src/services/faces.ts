import { FACE_THRESHOLDS } from '../domain/face-calibration.js';
import { cosineDistance, fromBytes, rankPeople, type Vector } from '../domain/face-clustering.js';
import { newId } from '../domain/ids.js';
import { faceClusteringTask } from '../jobs/face-clustering.js';
import { NotFound, unprocessable } from '../http/errors.js';
import * as assetStore from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as faceStore from '../store/faces.js';
import type { FaceRow } from '../store/faces.js';
import * as peopleStore from '../store/people.js';
import type { PersonRow } from '../store/people.js';
import type { Executor, Tx } from '../store/schema.js';
import * as taskStore from '../store/tasks.js';
import { type Deps, nowText, type Principal } from './deps.js';
import * as libraries from './libraries.js';
import * as searchIndex from './search-index.js';

export interface ClusterAssignment {
  distance_to_person: number | null;
  candidates: { person_id: string; name: string | null; distance: number }[];
}

export interface FaceView {
  face: FaceRow;
  cluster_assignment?: ClusterAssignment;
}

/** Resolves `library_id` when given (it must be the face's), else any of the caller's live libraries. */
async function loadFace(deps: Pick<Deps, 'db' | 'clock' | 'config'> & { db: Executor }, who: Principal, id: string, libraryId: string | undefined): Promise<FaceRow> {
  const face = await faceStore.findInLibraries(deps.db, who, id);
  if (!face) throw new NotFound('Face not found');
  if (libraryId !== undefined) {
    const library = await libraries.resolve(deps, who, libraryId);
    if (library.id !== face.library_id) throw new NotFound('Face not found');
  }
  return face;
}

/** §2.13 ClusterAssignmentResponse for faces of one library. */
export async function clusterAssignments(db: Executor, libraryId: string, faces: FaceRow[]): Promise<Map<string, ClusterAssignment>> {
  const people = (await peopleStore.byLibrary(db, libraryId)).filter((p) => p.centroid);
  const centroids = new Map<string, Vector>(people.map((p) => [p.id, fromBytes(p.centroid!)]));
  const names = new Map(people.map((p) => [p.id, p.name]));
  const out = new Map<string, ClusterAssignment>();
  for (const face of faces) {
    if (!face.embedding) {
      out.set(face.id, { distance_to_person: null, candidates: [] });
      continue;
    }
    const v = fromBytes(face.embedding);
    const own = face.person_id ? centroids.get(face.person_id) : undefined;
    const candidates = rankPeople(v, centroids)
      .filter((c) => c.person_id !== face.person_id && c.distance <= FACE_THRESHOLDS.candidateWindow)
      .slice(0, FACE_THRESHOLDS.candidates)
      .map((c) => ({ person_id: c.person_id, name: names.get(c.person_id) ?? null, distance: round(c.distance) }));
    out.set(face.id, { distance_to_person: own ? round(cosineDistance(v, own)) : null, candidates });
  }
  return out;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

async function withAssignments(db: Executor, faces: FaceRow[], wanted: boolean): Promise<FaceView[]> {
  if (!wanted || faces.length === 0) return faces.map((face) => ({ face }));
  const byLibrary = new Map<string, FaceRow[]>();
  for (const f of faces) byLibrary.set(f.library_id, [...(byLibrary.get(f.library_id) ?? []), f]);
  const all = new Map<string, ClusterAssignment>();
  for (const [lib, list] of byLibrary) for (const [id, a] of await clusterAssignments(db, lib, list)) all.set(id, a);
  return faces.map((face) => ({ face, cluster_assignment: all.get(face.id) }));
}

export async function get(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, id: string, input: { library_id?: string; include?: string[] }): Promise<FaceView> {
  const face = await loadFace(deps, who, id, input.library_id);
  return (await withAssignments(deps.db, [face], input.include?.includes('cluster_assignment') ?? false))[0];
}

export interface FaceListInput {
  library_id?: string;
  asset_id?: string;
  person_id?: string;
  ids?: string[];
  include?: string[];
  limit: number;
  starting_after_id?: string;
}

export async function list(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: FaceListInput) {
  const library = await libraries.resolve(deps, who, input.library_id);
  let after: { created_at: string; id: string } | undefined;
  if (input.starting_after_id !== undefined) {
    const [cursor] = await faceStore.findByIds(deps.db, library.id, [input.starting_after_id]);
    if (!cursor) throw unprocessable(['query', 'starting_after_id'], 'starting_after_id is not a face of this library', 'value_error', input.starting_after_id);
    after = { created_at: cursor.created_at, id: cursor.id };
  }
  const rows = await faceStore.list(deps.db, { libraryId: library.id, assetId: input.asset_id, personId: input.person_id, ids: input.ids, after, limit: input.limit + 1 });
  const data = await withAssignments(deps.db, rows.slice(0, input.limit), input.include?.includes('cluster_assignment') ?? false);
  return { data, has_more: rows.length > input.limit };
}

/** Faces of these assets, for `include=faces|people` on assets. */
export const ofAssets = (db: Executor, assetIds: string[]) => faceStore.byAssets(db, assetIds);

/**
 * After faces of `personIds` changed: take each person's face lock, recompute counts,
 * centroid and cohesion, drop unnamed people left without faces (they were only a cluster),
 * and return the events saying so.
 */
export async function settlePeople(trx: Tx, libraryId: string, personIds: (string | null)[], now: string): Promise<eventStore.NewEvent[]> {
  const ids = [...new Set(personIds.filter((p): p is string => p !== null))];
  for (const id of ids) await peopleStore.lockFaces(trx, id);
  const changed = await peopleStore.refresh(trx, ids, now);
  const rows = await peopleStore.findByIds(trx, libraryId, ids);
  const empty = rows.filter((p) => p.face_count === 0 && p.name === null);
  await peopleStore.deleteByIds(trx, empty.map((p) => p.id));
  const gone = new Set(empty.map((p) => p.id));
  return [
    ...changed.filter((id) => !gone.has(id)).map((id) => ({ library_id: libraryId, entity_type: 'person' as const, entity_id: id, event_type: 'person_updated' })),
    ...[...gone].map((id) => ({ library_id: libraryId, entity_type: 'person' as const, entity_id: id, event_type: 'person_deleted' })),
  ];
}

async function personInLibrary(db: Executor, libraryId: string, personId: string, loc: string[]): Promise<PersonRow> {
  const [person] = await peopleStore.findByIds(db, libraryId, [personId]);
  if (!person) throw new NotFound(`Person not found: ${personId}`);
  void loc;
  return person;
}

export interface CreateFaceInput {
  asset_id: string;
  bounding_box: { x: number; y: number; w: number; h: number };
  person_id?: string | null;
  library_id?: string;
}

/** §1.12 POST: a manual face (never moved by clustering); boxes in the asset's display space. */
export async function create(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'wake'>, who: Principal, input: CreateFaceInput): Promise<FaceView> {
  const library = await libraries.resolve(deps, who, input.library_id);
  const { x, y, w, h } = input.bounding_box;
  const face = await deps.db.transaction().execute(async (trx) => {
    const [asset] = await assetStore.findByIds(trx, library.id, [input.asset_id]);
    if (!asset) throw new NotFound('Asset not found');
    if (asset.width && x + w > asset.width) throw unprocessable(['body', 'bounding_box', 'w'], `x + w must be at most the asset's width (${asset.width})`, 'value_error', w);
    if (asset.height && y + h > asset.height) throw unprocessable(['body', 'bounding_box', 'h'], `y + h must be at most the asset's height (${asset.height})`, 'value_error', h);
    const person = input.person_id ? await personInLibrary(trx, library.id, input.person_id, ['body', 'person_id']) : undefined;
    const now = nowText(deps);
    const row: FaceRow = {
      id: newId('face'), library_id: library.id, asset_id: asset.id, person_id: person?.id ?? null, source: 'manual',
      assigned_by: person ? 'user' : null, detached_from: null, confidence: null, timestamp_ms: null, x, y, w, h, embedding: null,
      version_id: asset.current_version_id, created_at: now, updated_at: now,
    };
    await faceStore.insertMany(trx, [row]);
    const events: eventStore.NewEvent[] = [{ library_id: library.id, entity_type: 'face', entity_id: row.id, event_type: 'face_created' }];
    if (person) {
      events.push({ library_id: library.id, entity_type: 'face', entity_id: row.id, event_type: 'face_updated', payload: { person_id: person.id } });
      events.push(...(await settlePeople(trx, library.id, [person.id], now)));
    }
    await eventStore.append(trx, deps.dialect, now, events);
    if (person) await searchIndex.refresh(trx, now, [asset.id]);
    return row;
  });
  return { face };
}

/** §1.12 PATCH: assign to a person (a user's choice, never moved) or detach (back to the pool). */
export async function update(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'wake'>, who: Principal, id: string, input: { person_id: string | null; library_id?: string }): Promise<FaceView> {
  const found = await loadFace(deps, who, id, input.library_id);
  const face = await deps.db.transaction().execute(async (trx) => {
    const [current] = await faceStore.findByIds(trx, found.library_id, [id]);
    if (!current) throw new NotFound('Face not found');
    const now = nowText(deps);
    const target = input.person_id === null ? null : (await personInLibrary(trx, current.library_id, input.person_id, ['body', 'person_id'])).id;
    const change =
      target === null
        ? { person_id: null, assigned_by: null, detached_from: current.person_id ?? current.detached_from, updated_at: now }
        : { person_id: target, assigned_by: 'user' as const, detached_from: null, updated_at: now };
    await faceStore.setPerson(trx, [id], change);
    const events: eventStore.NewEvent[] = [
      { library_id: current.library_id, entity_type: 'face', entity_id: id, event_type: 'face_updated', payload: { person_id: target } },
      ...(await settlePeople(trx, current.library_id, [current.person_id, target], now)),
    ];
    await eventStore.append(trx, deps.dialect, now, events);
    await searchIndex.refresh(trx, now, [current.asset_id]);
    // A detached automatic face goes back to the pool: clustering will look at it again.
    if (target === null && current.source === 'automatic') await taskStore.enqueue(trx, now, [faceClusteringTask(current.library_id)]);
    return { ...current, ...change };
  });
  deps.wake();
  return { face };
}

/** §1.12 DELETE: the face row only; its asset and person remain. */
export async function remove(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, id: string, libraryId: string | undefined): Promise<void> {
  const found = await loadFace(deps, who, id, libraryId);
  await deps.db.transaction().execute(async (trx) => {
    const [current] = await faceStore.findByIds(trx, found.library_id, [id]);
    if (!current) throw new NotFound('Face not found');
    const now = nowText(deps);
    await faceStore.deleteByIds(trx, [id]);
    await eventStore.append(trx, deps.dialect, now, [
      { library_id: current.library_id, entity_type: 'face', entity_id: id, event_type: 'face_deleted' },
      ...(await settlePeople(trx, current.library_id, [current.person_id], now)),
    ]);
    if (current.person_id) await searchIndex.refresh(trx, now, [current.asset_id]);
  });
}
