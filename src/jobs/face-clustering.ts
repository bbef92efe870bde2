import { FACE_THRESHOLDS } from '../domain/face-calibration.js';
import { type ClusterFace, fromBytes, planClustering } from '../domain/face-clustering.js';
import { newId } from '../domain/ids.js';
import * as eventStore from '../store/events.js';
import * as faceStore from '../store/faces.js';
import * as peopleStore from '../store/people.js';
import type { NewTask } from '../store/tasks.js';
import type { Tx } from '../store/schema.js';
import type { TaskHandler } from './task.js';
import * as searchIndex from '../services/search-index.js';

export interface FaceClusteringPayload {
  library_id: string;
}

/** Library-scoped (asset_id null); one pending run per library at a time. */
export const faceClusteringTask = (libraryId: string): NewTask => ({
  task_type: 'face_clustering',
  library_id: libraryId,
  asset_id: null,
  payload: { library_id: libraryId } satisfies FaceClusteringPayload,
  key: `face_clustering:${libraryId}`,
  priority: 1,
});

/**
 * Plans (domain/face-clustering.ts) and applies one clustering pass in one transaction. The
 * event stream's lock is taken first, so two passes over a library never interleave; each
 * face moves only if nobody changed it since it was read.
 */
export async function clusterLibrary(trx: Tx, deps: { dialect: import('../store/dialect/adapter.js').DialectAdapter }, libraryId: string, now: string) {
  await deps.dialect.lockEventStream(trx);
  const rows = await faceStore.byLibrary(trx, libraryId);
  const people = await peopleStore.byLibrary(trx, libraryId);
  const personIds = new Set(people.map((p) => p.id));
  const faces: ClusterFace[] = rows.map((f) => ({
    id: f.id,
    assetId: f.asset_id,
    personId: f.person_id !== null && personIds.has(f.person_id) ? f.person_id : null,
    movable: f.source === 'automatic' && f.assigned_by !== 'user',
    detachedFrom: f.detached_from,
    embedding: f.embedding ? fromBytes(f.embedding) : null,
  }));
  const plan = planClustering(faces, FACE_THRESHOLDS);
  const byId = new Map(faces.map((f) => [f.id, f]));
  const events: eventStore.NewEvent[] = [];
  const touched = new Set<string>();
  const created: string[] = [];
  // New people are unnamed: only moves to or from a named person change search documents.
  const named = new Set(people.filter((p) => p.name !== null).map((p) => p.id));
  const renamedAssets = new Set<string>();

  for (const group of plan.newPeople) {
    const id = newId('person');
    await peopleStore.insert(trx, {
      id, library_id: libraryId, name: null, birth_date: null, is_favorite: 0, is_hidden: 0, thumbnail_face_id: null,
      asset_count: 0, face_count: 0, centroid: null, pairwise_mean: null, pairwise_p90: null, faces_version: 0, created_at: now, updated_at: now,
    });
    created.push(id);
    events.push({ library_id: libraryId, entity_type: 'person', entity_id: id, event_type: 'person_created' });
    for (const faceId of group) plan.moves.set(faceId, id);
  }
  for (const [faceId, to] of plan.moves) {
    const from = byId.get(faceId)!.personId;
    if (!(await faceStore.moveIfUnchanged(trx, faceId, from, to, now))) continue;
    for (const p of [from, to]) if (p) touched.add(p);
    if ((from && named.has(from)) || (to && named.has(to))) renamedAssets.add(byId.get(faceId)!.assetId);
    events.push({ library_id: libraryId, entity_type: 'face', entity_id: faceId, event_type: 'face_updated', payload: { person_id: to } });
  }
  for (const p of touched) await peopleStore.lockFaces(trx, p);
  const changed = new Set(await peopleStore.refresh(trx, [...touched], now));

  // Unnamed people clustering emptied, with nothing a user set, go away.
  const emptied = (await peopleStore.findByIds(trx, libraryId, [...touched])).filter(
    (p) => p.face_count === 0 && p.name === null && p.birth_date === null && !p.is_favorite && !p.is_hidden,
  );
  await peopleStore.deleteByIds(trx, emptied.map((p) => p.id));
  const gone = new Set(emptied.map((p) => p.id));
  for (const id of changed) {
    if (gone.has(id) || created.includes(id)) continue;
    events.push({ library_id: libraryId, entity_type: 'person', entity_id: id, event_type: 'person_updated' });
  }
  for (const id of gone) events.push({ library_id: libraryId, entity_type: 'person', entity_id: id, event_type: 'person_deleted' });
  await eventStore.append(trx, deps.dialect, now, events);
  await searchIndex.refresh(trx, now, [...renamedAssets]);
  const moved = events.filter((e) => e.event_type === 'face_updated').length;
  return { faces: rows.length, moved, created: created.length - [...gone].filter((id) => created.includes(id)).length, deleted: [...gone].filter((id) => !created.includes(id)).length };
}

export const faceClustering: TaskHandler<FaceClusteringPayload> = {
  type: 'face_clustering',
  async run({ deps }, { library_id }) {
    const summary = await deps.db.transaction().execute((trx) => clusterLibrary(trx, deps, library_id, deps.clock().toISOString()));
    return { result: `${summary.faces} faces; ${summary.moved} moved; ${summary.created} new people; ${summary.deleted} removed` };
  },
};
