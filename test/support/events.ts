import { expect } from 'vitest';
import type { TestApp } from './app.js';

export interface FeedEvent {
  cursor: string;
  entity_type: string;
  entity_id: string;
  event_type: string;
  created_at: string;
  payload?: Record<string, unknown>;
}

/** Every event after `after` (all of them when omitted), following `has_more`. */
export async function feed(t: TestApp, after?: string, query: Record<string, unknown> = {}): Promise<FeedEvent[]> {
  const all: FeedEvent[] = [];
  for (let cursor = after; ; ) {
    const res = await t.api('GET', '/api/events', { query: { limit: 200, ...query, after_cursor: cursor } });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { data: FeedEvent[]; has_more: boolean };
    all.push(...page.data);
    if (!page.has_more || page.data.length === 0) return all;
    cursor = page.data.at(-1)!.cursor;
  }
}

/** The cursor of the newest event, to read only what a mutation appends. */
export async function lastCursor(t: TestApp, query: Record<string, unknown> = {}): Promise<string | undefined> {
  return (await feed(t, undefined, query)).at(-1)?.cursor;
}

/** Events as compact tuples for exact sequence assertions. */
export const brief = (events: FeedEvent[]) => events.map((e) => [e.event_type, e.entity_id, ...(e.payload === undefined ? [] : [e.payload])]);

/** `event_type entity_id [stack_id]` lines: asset events show the stack membership they carry. */
export const eventLines = (events: FeedEvent[]) =>
  events.map((e) => (e.event_type === 'asset_updated' && e.payload && 'stack_id' in e.payload ? `${e.event_type} ${e.entity_id} ${e.payload.stack_id ?? 'null'}` : `${e.event_type} ${e.entity_id}`));
