import type { Selectable } from 'kysely';
import type { Tx, Executor, EventTable } from './schema.js';
import type { DialectAdapter } from './dialect/adapter.js';

export type EventRow = Selectable<EventTable>;

export interface NewEvent {
  library_id: string;
  entity_type: 'asset' | 'album' | 'person' | 'face' | 'album_asset' | 'metadata' | 'stack';
  entity_id: string;
  event_type: string;
  payload?: Record<string, unknown>;
}

/** Appends to the outbox in the caller's transaction, so the change and its events commit together. */
export async function append(trx: Tx, dialect: DialectAdapter, now: string, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await dialect.lockEventStream(trx);
  await trx
    .insertInto('events')
    .values(
      events.map((e) => ({
        library_id: e.library_id,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        event_type: e.event_type,
        payload: e.payload === undefined ? null : JSON.stringify(e.payload),
        created_at: now,
      })),
    )
    .execute();
}

export interface EventQuery {
  libraryId: string;
  afterSeq?: number;
  createdAtGte?: string;
  createdAtLt?: string;
  entityTypes?: string[];
  limit: number;
}

export function list(db: Executor, q: EventQuery): Promise<EventRow[]> {
  let query = db.selectFrom('events').selectAll().where('library_id', '=', q.libraryId);
  if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
  if (q.createdAtGte !== undefined) query = query.where('created_at', '>=', q.createdAtGte);
  if (q.createdAtLt !== undefined) query = query.where('created_at', '<', q.createdAtLt);
  if (q.entityTypes?.length) query = query.where('entity_type', 'in', q.entityTypes);
  return query.orderBy('seq').limit(q.limit).execute();
}

/** Only when the library itself is purged: nobody can read its feed any more. */
export async function deleteAllOfLibrary(db: Executor, libraryId: string): Promise<void> {
  await db.deleteFrom('events').where('library_id', '=', libraryId).execute();
}

/** The newest event's sequence number (0 when none): a point in the change history. */
export async function lastSeq(db: Executor): Promise<number> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** Events about these entities committed after `seq` (a range scan on the sequence key). */
export function entityEventsSince(db: Executor, seq: number, entityType: NewEvent['entity_type'], ids: string[]): Promise<Pick<EventRow, 'entity_id' | 'event_type'>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('events').select(['entity_id', 'event_type']).where('seq', '>', seq).where('entity_type', '=', entityType).where('entity_id', 'in', ids).execute();
}
