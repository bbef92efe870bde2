import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { newId } from '../domain/ids.js';
import type { DialectAdapter } from './dialect/adapter.js';
import type { Executor, TaskStatus, TaskTable } from './schema.js';
import { prepared } from './prepared.js';

export type TaskRow = Selectable<TaskTable>;

export interface NewTask {
  task_type: string;
  library_id: string;
  asset_id?: string | null;
  payload: unknown;
  /** Lower runs first; `BACKGROUND_PRIORITY` and above is background work (see `claim`). */
  priority?: number;
  runAt?: string;
  maxAttempts?: number;
  /** While a task with this key is still pending, enqueueing it again does nothing. */
  key?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Tasks at this priority or above (search understanding, AI descriptions) are background work:
 * a worker busy with the tasks that make uploads viewable leaves them until that work pauses.
 */
export const BACKGROUND_PRIORITY = 10;

/** An INSERT in the caller's transaction, so the change that needs the task and the task commit together. */
export async function enqueue(db: Executor, now: string, tasks: NewTask[]): Promise<void> {
  const rows = tasks.map((t) => ({
    id: newId('btask'),
    celery_task_id: randomUUID(),
    task_type: t.task_type,
    library_id: t.library_id,
    asset_id: t.asset_id ?? null,
    payload: JSON.stringify(t.payload ?? {}),
    status: 'pending' as const,
    priority: t.priority ?? 0,
    run_at: t.runAt ?? now,
    attempts: 0,
    max_attempts: t.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    locked_by: null,
    lease_until: null,
    key: t.key ?? null,
    error_message: null,
    result: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    completed_at: null,
  }));
  // One statement per chunk (a purge batch enqueues hundreds); well under both databases' parameter limits.
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('tasks')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column('key').where(sql<boolean>`status = 'pending'`).doNothing())
      .execute();
  }
}

/** Whether a task of these types is still pending or running in the library (a purge waits for its file cleanups). */
export async function hasUnfinished(db: Executor, libraryId: string, types: string[]): Promise<boolean> {
  const row = await db
    .selectFrom('tasks')
    .select('id')
    .where('library_id', '=', libraryId)
    .where('task_type', 'in', types)
    .where('status', 'in', ['pending', 'started'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteAllOfLibrary(db: Executor, libraryId: string): Promise<void> {
  await db.deleteFrom('tasks').where('library_id', '=', libraryId).execute();
}

/**
 * Claims up to `limit` due tasks in one statement: pending ones, ones waiting for a retry, and
 * ones whose holder's lease expired (a crashed worker). The attempt is counted at claim time,
 * so a crash still counts as one.
 */
export async function claim(
  db: Executor,
  dialect: DialectAdapter,
  options: { worker: string; now: string; leaseUntil: string; limit: number; types: string[]; foregroundOnly?: boolean },
): Promise<TaskRow[]> {
  const { worker, now, leaseUntil, limit, types } = options;
  let due = db
    .selectFrom('tasks')
    .select('id')
    .where('status', 'in', ['pending', 'started'])
    .where('task_type', 'in', types)
    .where('run_at', '<=', now)
    .where((eb) => eb.or([eb('locked_by', 'is', null), eb('lease_until', '<', now)]))
    .where((eb) => eb('attempts', '<', eb.ref('max_attempts')));
  if (options.foregroundOnly) due = due.where('priority', '<', BACKGROUND_PRIORITY);
  due = dialect.skipLocked(due.orderBy('priority').orderBy('run_at').limit(limit));
  return db
    .updateTable('tasks')
    .set((eb) => ({
      status: 'started' as TaskStatus,
      attempts: eb('attempts', '+', 1),
      locked_by: worker,
      lease_until: leaseUntil,
      started_at: now,
      updated_at: now,
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/** Only the lease holder may finish a task: a worker that lost its lease writes nothing. */
const markSucceeded = prepared((db, a: { id: string; worker: string; now: string; result: string | null }) =>
  db
    .updateTable('tasks')
    .set({ status: 'success', result: a.result, locked_by: null, lease_until: null, completed_at: a.now, updated_at: a.now })
    .where('id', '=', a.id)
    .where('locked_by', '=', a.worker),
);

export async function complete(db: Executor, id: string, worker: string, now: string, result: string | null): Promise<boolean> {
  return (await markSucceeded(db, { id, worker, now, result })).numAffectedRows === 1n;
}

/** Records a failed attempt: waits until `retryAt` when given, otherwise fails for good. */
export async function fail(db: Executor, id: string, worker: string, now: string, message: string, retryAt: string | undefined): Promise<boolean> {
  const r = await db
    .updateTable('tasks')
    .set(
      retryAt
        ? { status: 'started', error_message: message, locked_by: null, lease_until: null, run_at: retryAt, updated_at: now }
        : { status: 'failure', error_message: message, locked_by: null, lease_until: null, completed_at: now, updated_at: now },
    )
    .where('id', '=', id)
    .where('locked_by', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function extendLease(db: Executor, ids: string[], worker: string, leaseUntil: string): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('tasks').set({ lease_until: leaseUntil }).where('id', 'in', ids).where('locked_by', '=', worker).execute();
}

/** Tasks whose last holder died on their final attempt: nobody will claim them again. */
export async function failAbandoned(db: Executor, now: string): Promise<number> {
  const r = await db
    .updateTable('tasks')
    .set({ status: 'failure', error_message: 'The worker running this task stopped responding', locked_by: null, lease_until: null, completed_at: now, updated_at: now })
    .where('status', '=', 'started')
    .where('lease_until', '<', now)
    .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Whether any task of these types is due now or running (for `runUntilIdle`). */
export async function hasWork(db: Executor, types: string[], now: string): Promise<boolean> {
  const row = await db
    .selectFrom('tasks')
    .select('id')
    .where('status', 'in', ['pending', 'started'])
    .where('task_type', 'in', types)
    .where((eb) => eb.or([eb('run_at', '<=', now), eb('locked_by', 'is not', null)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface TaskQuery {
  libraryIds: string[];
  assetId?: string;
  status?: TaskStatus;
  taskType?: string;
  limit: number;
}

export function list(db: Executor, q: TaskQuery): Promise<TaskRow[]> {
  if (q.libraryIds.length === 0) return Promise.resolve([]);
  let query = db.selectFrom('tasks').selectAll().where('library_id', 'in', q.libraryIds);
  if (q.assetId !== undefined) query = query.where('asset_id', '=', q.assetId);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.taskType !== undefined) query = query.where('task_type', '=', q.taskType);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

export function findByIdOrDelivery(db: Executor, libraryIds: string[], id: string): Promise<TaskRow | undefined> {
  if (libraryIds.length === 0) return Promise.resolve(undefined);
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('library_id', 'in', libraryIds)
    .where((eb) => eb.or([eb('id', '=', id), eb('celery_task_id', '=', id)]))
    .executeTakeFirst();
}
