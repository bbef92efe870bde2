import { NotFound } from '../http/errors.js';
import * as libraryStore from '../store/libraries.js';
import type { TaskStatus } from '../store/schema.js';
import * as taskStore from '../store/tasks.js';
import type { Deps, Principal } from './deps.js';

/**
 * §1.17: omit `library_id` for every live library of the caller; an inaccessible one is a 404.
 * A trashed library's tasks are hidden with the rest of its content.
 */
async function libraryIds(deps: Pick<Deps, 'db'>, who: Principal, libraryId: string | undefined): Promise<string[]> {
  if (libraryId === undefined) return (await libraryStore.listOwned(deps.db, who, 'live')).map((l) => l.id);
  const library = await libraryStore.findOwned(deps.db, who, libraryId);
  if (!library || library.trashed_at !== null) throw new NotFound('Library not found');
  return [library.id];
}

export async function list(deps: Pick<Deps, 'db'>, who: Principal, q: { library_id?: string; status?: TaskStatus; task_type?: string; limit: number }) {
  return taskStore.list(deps.db, { libraryIds: await libraryIds(deps, who, q.library_id), status: q.status, taskType: q.task_type, limit: q.limit });
}

export async function get(deps: Pick<Deps, 'db'>, who: Principal, id: string) {
  const task = await taskStore.findByIdOrDelivery(deps.db, await libraryIds(deps, who, undefined), id);
  if (!task) throw new NotFound('Task not found');
  return task;
}

export async function listForAsset(deps: Pick<Deps, 'db'>, who: Principal, assetId: string, limit: number) {
  return taskStore.list(deps.db, { libraryIds: await libraryIds(deps, who, undefined), assetId, limit });
}
