import { expect } from 'vitest';
import type { TestApp } from './app.js';

export interface FeedEvent {
  cursor: string;
  entity_type: string;
  entity_id: string;
  event_type: string;
  payload?: Record<string, unknown>;
}

/** Every event after `cursor` (all of them when undefined), walking the feed page by page. */
export async function eventsAfter(t: TestApp, cursor?: string, query: Record<string, unknown> = {}): Promise<FeedEvent[]> {
  const all: FeedEvent[] = [];
  for (let after = cursor; ; ) {
    const res = await t.api('GET', '/api/events', { query: { limit: 200, after_cursor: after, ...query } });
    expect(res.statusCode).toBe(200);
    const page = res.json() as { data: FeedEvent[]; has_more: boolean };
    all.push(...page.data);
    if (!page.has_more) return all;
    after = page.data.at(-1)!.cursor;
  }
}

export const lastCursor = async (t: TestApp, query: Record<string, unknown> = {}) => (await eventsAfter(t, undefined, query)).at(-1)?.cursor;

/** `event_type entity_id [stack_id]` lines: asset events show the stack membership they carry. */
export const eventLines = (events: FeedEvent[]) =>
  events.map((e) => (e.event_type === 'asset_updated' && e.payload && 'stack_id' in e.payload ? `${e.event_type} ${e.entity_id} ${e.payload.stack_id ?? 'null'}` : `${e.event_type} ${e.entity_id}`));
