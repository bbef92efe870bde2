import { parseIsoDateTime, toUtcText } from '../domain/capture-time.js';
import { unprocessable } from '../http/errors.js';
import * as eventStore from '../store/events.js';
import type { Deps, Principal } from './deps.js';
import * as libraries from './libraries.js';

export interface EventsInput {
  library_id?: string;
  after_cursor?: string;
  created_at_gte?: string;
  created_at_lt?: string;
  entity_types?: string[];
  limit: number;
}

/** The cursor is the event's sequence number in base 36: opaque, short and free of `|`. */
export const encodeCursor = (seq: number) => seq.toString(36);

function decodeCursor(cursor: string): number {
  const seq = /^[0-9a-z]{1,12}$/.test(cursor) ? parseInt(cursor, 36) : NaN;
  if (!Number.isSafeInteger(seq)) throw unprocessable(['query', 'after_cursor'], 'after_cursor is not a cursor from this feed', 'value_error', cursor);
  return seq;
}

function utcBound(text: string | undefined, field: string): string | undefined {
  if (text === undefined) return undefined;
  const t = parseIsoDateTime(text);
  if (!t) throw unprocessable(['query', field], 'Input should be a valid datetime or date', 'datetime_from_date_parsing', text);
  // Row timestamps are UTC; a naive bound is read as UTC too.
  return toUtcText(t.offset === null ? { ...t, offset: 0 } : t);
}

export async function list(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: EventsInput) {
  const library = await libraries.resolve(deps, who, input.library_id);
  const rows = await eventStore.list(deps.db, {
    libraryId: library.id,
    afterSeq: input.after_cursor === undefined ? undefined : decodeCursor(input.after_cursor),
    createdAtGte: utcBound(input.created_at_gte, 'created_at_gte'),
    createdAtLt: utcBound(input.created_at_lt, 'created_at_lt'),
    entityTypes: input.entity_types,
    limit: input.limit + 1,
  });
  return { rows: rows.slice(0, input.limit), has_more: rows.length > input.limit };
}
