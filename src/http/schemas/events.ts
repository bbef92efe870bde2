import { Type } from '@sinclair/typebox';
import { DateTime } from './common.js';

export const ENTITY_TYPES = ['asset', 'album', 'person', 'face', 'album_asset', 'metadata', 'stack'] as const;

export const Event = Type.Object(
  {
    cursor: Type.String({ description: 'Opaque; pass as after_cursor to continue after this event' }),
    entity_type: Type.String(),
    entity_id: Type.String(),
    event_type: Type.String(),
    created_at: DateTime(),
    payload: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { $id: 'Event', title: 'Event' },
);

export const EventsResponse = Type.Object({ data: Type.Array(Type.Ref('Event')), has_more: Type.Boolean() }, { $id: 'EventsResponse', title: 'EventsResponse' });

export const eventSchemas = [Event, EventsResponse];
