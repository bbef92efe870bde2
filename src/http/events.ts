import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../services/deps.js';
import * as events from '../services/events.js';
import { principalOf } from './auth.js';
import { DateTime, errorResponses, LibraryIdQuery, Limit, StringEnum } from './schemas/common.js';
import { ENTITY_TYPES } from './schemas/events.js';

export const eventRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      schema: {
        operationId: 'get_events',
        tags: ['events'],
        querystring: Type.Object({
          library_id: Type.Optional(LibraryIdQuery),
          after_cursor: Type.Optional(Type.String()),
          created_at_gte: Type.Optional(DateTime({ description: 'Inclusive lower bound' })),
          created_at_lt: Type.Optional(DateTime({ description: 'Exclusive upper bound' })),
          entity_types: Type.Optional(Type.Array(StringEnum(ENTITY_TYPES))),
          limit: Limit,
        }),
        response: { 200: Type.Ref('EventsResponse'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await events.list(deps, principalOf(request), request.query);
      return {
        data: page.rows.map((e) => ({
          cursor: events.encodeCursor(e.seq),
          entity_type: e.entity_type,
          entity_id: e.entity_id,
          event_type: e.event_type,
          created_at: e.created_at,
          ...(e.payload === null ? {} : { payload: JSON.parse(e.payload) as Record<string, unknown> }),
        })),
        has_more: page.has_more,
      };
    },
  );
};
