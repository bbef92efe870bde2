import { newId } from '../domain/ids.js';
import { faceClusteringTask } from '../jobs/face-clustering.js';
import { Conflict, NotFound, unprocessable } from '../http/errors.js';
import * as eventStore from '../store/events.js';
import * as faceStore from '../store/faces.js';
import * as peopleStore from '../store/people.js';
import type { PersonRow } from '../store/people.js';
import type { Executor } from '../store/schema.js';
import * as taskStore from '../store/tasks.js';
import { type Deps, nowText, type Principal } from './deps.js';
import { settlePeople } from './faces.js';
import * as libraries from './libraries.js';
import * as searchIndex from './search-index.js';

export interface PersonView {
  person: PersonRow;
  cluster_metrics?: { face_count: number; pairwise_mean: number; pairwise_p90: number } | null;
}

/** §2.14: metrics only for people with a centroid. */
function view(person: PersonRow, metrics: boolean): PersonView {
  if (!metrics) return { person };
  return {
    person,
    cluster_metrics: person.centroid
      ? { face_count: person.face_count, pairwise_mean: round(person.pairwise_mean ?? 0), pairwise_p90: round(person.pairwise_p90 ?? 0) }
      : null,
  };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

async function loadPerson(deps: Pick<Deps, 'db' | 'clock' | 'config'> & { db: Executor }, who: Principal, id: string, libraryId?: string): Promise<PersonRow> {
  const person = await peopleStore.findInLibraries(deps.db, who, id);
  if (!person) throw new NotFound('Person not found');
  if (libraryId !== undefined && (await libraries.resolve(deps, who, libraryId)).id !== person.library_id) throw new NotFound('Person not found');
  return person;
}

async function checkThumbnailFace(db: Executor, libraryId: string, faceId: string | null | undefined): Promise<void> {
  if (faceId === undefined || faceId === null) return;
  const [face] = await faceStore.findByIds(db, libraryId, [faceId]);
  if (!face) throw unprocessable(['body', 'thumbnail_face_id'], 'thumbnail_face_id is not a face of this library', 'value_error', faceId);
}

export interface PersonFields {
  name?: string | null;
  birth_date?: string | null;
  is_favorite?: boolean;
  is_hidden?: boolean;
  thumbnail_face_id?: string | null;
}

export async function create(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, input: PersonFields & { library_id?: string }): Promise<PersonView> {
  const library = await libraries.resolve(deps, who, input.library_id);
  const person = await deps.db.transaction().execute(async (trx) => {
    await checkThumbnailFace(trx, library.id, input.thumbnail_face_id);
    const now = nowText(deps);
    const row: PersonRow = {
      id: newId('person'), library_id: library.id, name: input.name ?? null, birth_date: input.birth_date ?? null,
      is_favorite: input.is_favorite ? 1 : 0, is_hidden: input.is_hidden ? 1 : 0, thumbnail_face_id: input.thumbnail_face_id ?? null,
      asset_count: 0, face_count: 0, centroid: null, pairwise_mean: null, pairwise_p90: null, faces_version: 0, created_at: now, updated_at: now,
    };
    await peopleStore.insert(trx, row);
    await eventStore.append(trx, deps.dialect, now, [{ library_id: library.id, entity_type: 'person', entity_id: row.id, event_type: 'person_created' }]);
    return row;
  });
  return view(person, false);
}

export async function get(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, id: string, input: { include?: string[]; library_id?: string }): Promise<PersonView> {
  return view(await loadPerson(deps, who, id, input.library_id), input.include?.includes('cluster_metrics') ?? false);
}

/** §1.13 PATCH: omitted = unchanged, null clears; faces do not move. */
export async function update(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, id: string, patch: PersonFields): Promise<PersonView> {
  const found = await loadPerson(deps, who, id);
  const person = await deps.db.transaction().execute(async (trx) => {
    const [current] = await peopleStore.findByIds(trx, found.library_id, [id]);
    if (!current) throw new NotFound('Person not found');
    await checkThumbnailFace(trx, current.library_id, patch.thumbnail_face_id);
    const now = nowText(deps);
    const changes: Partial<PersonRow> = { updated_at: now };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.birth_date !== undefined) changes.birth_date = patch.birth_date;
    if (patch.is_favorite !== undefined) changes.is_favorite = patch.is_favorite ? 1 : 0;
    if (patch.is_hidden !== undefined) changes.is_hidden = patch.is_hidden ? 1 : 0;
    if (patch.thumbnail_face_id !== undefined) changes.thumbnail_face_id = patch.thumbnail_face_id;
    await peopleStore.update(trx, id, changes);
    await eventStore.append(trx, deps.dialect, now, [{ library_id: current.library_id, entity_type: 'person', entity_id: id, event_type: 'person_updated' }]);
    if ((changes.name !== undefined && changes.name !== current.name) || (changes.is_hidden !== undefined && changes.is_hidden !== current.is_hidden)) {
      await searchIndex.refreshPeople(trx, now, [id]);
    }
    return { ...current, ...changes };
  });
  return view(person, false);
}

export const SORTS = ['created_at_desc', 'created_at_asc', 'name_asc', 'name_desc', 'asset_count_desc', 'asset_count_asc'] as const;
export type PersonSort = (typeof SORTS)[number];

export interface PeopleListInput {
  library_id?: string;
  album_id?: string;
  asset_id?: string;
  ids?: string[];
  include?: string[];
  name?: string;
  name_filter?: 'named' | 'unnamed' | 'all';
  sort?: PersonSort;
  limit: number;
  starting_after_id?: string;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Total orders of §1.13 (ties by id); name sorts are locale-aware with unnamed people last. */
export function comparePeople(sort: PersonSort): (a: PersonRow, b: PersonRow) => number {
  const byId = (a: PersonRow, b: PersonRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (sort) {
    case 'created_at_asc':
      return (a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : byId(a, b));
    case 'created_at_desc':
      return (a, b) => (a.created_at > b.created_at ? -1 : a.created_at < b.created_at ? 1 : -byId(a, b));
    case 'asset_count_desc':
      return (a, b) => b.asset_count - a.asset_count || byId(a, b);
    case 'asset_count_asc':
      return (a, b) => a.asset_count - b.asset_count || byId(a, b);
    case 'name_asc':
    case 'name_desc': {
      const dir = sort === 'name_asc' ? 1 : -1;
      return (a, b) => {
        if (a.name === null || b.name === null) return a.name === b.name ? byId(a, b) : a.name === null ? 1 : -1;
        return dir * collator.compare(a.name, b.name) || byId(a, b);
      };
    }
  }
}

/**
 * §1.13 list. A library's people are few enough to filter and order here, in one locale-aware
 * collation that both databases share, then page by the position of `starting_after_id`.
 */
export async function list(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: PeopleListInput) {
  const sort = input.sort ?? 'created_at_desc';
  const nameFilter = input.name_filter ?? (input.ids ? 'all' : 'named');
  if (nameFilter === 'unnamed' && (sort === 'name_asc' || sort === 'name_desc')) {
    throw unprocessable(['query', 'sort'], 'Name sorts cannot be combined with name_filter=unnamed', 'value_error', sort);
  }
  const library = await libraries.resolve(deps, who, input.library_id);
  // No album of this build holds assets yet (albums arrive separately): an album's people are none.
  if (input.album_id !== undefined) return { data: [], has_more: false };
  let rows = await peopleStore.byLibrary(deps.db, library.id);
  if (input.ids) {
    const ids = new Set(input.ids);
    rows = rows.filter((p) => ids.has(p.id));
  }
  if (input.asset_id !== undefined) {
    const onAsset = new Set(await peopleStore.idsOnAssets(deps.db, [input.asset_id]));
    rows = rows.filter((p) => onAsset.has(p.id));
  }
  if (nameFilter === 'named') rows = rows.filter((p) => p.name !== null);
  if (nameFilter === 'unnamed') rows = rows.filter((p) => p.name === null);
  if (input.name !== undefined) {
    const needle = input.name.toLocaleLowerCase();
    rows = rows.filter((p) => p.name !== null && p.name.toLocaleLowerCase().includes(needle));
  }
  rows.sort(comparePeople(sort));
  let start = 0;
  if (input.starting_after_id !== undefined) {
    const at = rows.findIndex((p) => p.id === input.starting_after_id);
    if (at < 0) throw unprocessable(['query', 'starting_after_id'], 'starting_after_id is not a person of this listing', 'value_error', input.starting_after_id);
    start = at + 1;
  }
  const metrics = input.include?.includes('cluster_metrics') ?? false;
  return { data: rows.slice(start, start + input.limit).map((p) => view(p, metrics)), has_more: rows.length > start + input.limit };
}

/**
 * §1.13 DELETE: the person goes and its faces become unassigned (re-clustered later). The
 * person's face lock is taken at the version read first: if anything changed the person's
 * faces in between, nothing is deleted and the caller gets a retryable 409.
 */
export async function remove(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'wake'>, who: Principal, id: string, libraryId?: string): Promise<void> {
  const seen = await loadPerson(deps, who, id, libraryId);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await peopleStore.lockFaces(trx, id, seen.faces_version))) {
      if ((await peopleStore.findByIds(trx, seen.library_id, [id])).length === 0) throw new NotFound('Person not found');
      throw new Conflict("The person's faces changed while it was being deleted; nothing was deleted, retry", true);
    }
    const now = nowText(deps);
    const faces = await faceStore.byPeople(trx, [id]);
    await faceStore.setPerson(trx, faces.map((f) => f.id), { person_id: null, assigned_by: null, detached_from: null, updated_at: now });
    await peopleStore.deleteByIds(trx, [id]);
    await eventStore.append(trx, deps.dialect, now, [
      ...faces.map((f) => ({ library_id: seen.library_id, entity_type: 'face' as const, entity_id: f.id, event_type: 'face_updated', payload: { person_id: null } })),
      { library_id: seen.library_id, entity_type: 'person', entity_id: id, event_type: 'person_deleted' },
    ]);
    await searchIndex.refresh(trx, now, faces.map((f) => f.asset_id));
    if (faces.some((f) => f.source === 'automatic')) await taskStore.enqueue(trx, now, [faceClusteringTask(seen.library_id)]);
  });
  deps.wake();
}

/**
 * §1.13 merge: every face of the sources moves to the target (a user's statement, so they are
 * never moved again by clustering), the sources are deleted and the target recomputed. An
 * unnamed target left without faces is deleted too: then there is nothing to return (204).
 */
export async function merge(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, targetId: string, sourceIds: string[]): Promise<PersonView | undefined> {
  const target = await loadPerson(deps, who, targetId);
  const sources = [...new Set(sourceIds)];
  if (sources.includes(targetId)) throw unprocessable(['body', 'source_person_ids'], 'A person cannot be merged into itself', 'value_error', targetId);
  return deps.db.transaction().execute(async (trx) => {
    const found = await peopleStore.findByIds(trx, target.library_id, sources);
    const missing = sources.filter((s) => !found.some((p) => p.id === s));
    if (missing.length) throw new NotFound(`People not found: ${missing.join(', ')}`);
    const now = nowText(deps);
    const faces = await faceStore.byPeople(trx, sources);
    await faceStore.setPerson(trx, faces.map((f) => f.id), { person_id: targetId, assigned_by: 'user', detached_from: null, updated_at: now });
    for (const s of sources) await peopleStore.lockFaces(trx, s);
    await peopleStore.deleteByIds(trx, sources);
    const events: eventStore.NewEvent[] = [
      ...faces.map((f) => ({ library_id: target.library_id, entity_type: 'face' as const, entity_id: f.id, event_type: 'face_updated', payload: { person_id: targetId } })),
      ...sources.map((s) => ({ library_id: target.library_id, entity_type: 'person' as const, entity_id: s, event_type: 'person_deleted' })),
    ];
    const settled = await settlePeople(trx, target.library_id, [targetId], now);
    events.push(...settled);
    const [after] = await peopleStore.findByIds(trx, target.library_id, [targetId]);
    if (after && !settled.some((e) => e.event_type === 'person_updated')) {
      events.push({ library_id: target.library_id, entity_type: 'person', entity_id: targetId, event_type: 'person_updated' });
    }
    await eventStore.append(trx, deps.dialect, now, events);
    await searchIndex.refresh(trx, now, faces.map((f) => f.asset_id));
    return after ? view(after, false) : undefined;
  });
}
