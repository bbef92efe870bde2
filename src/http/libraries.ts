import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../services/deps.js';
import * as libraries from '../services/libraries.js';
import { principalOf } from './auth.js';
import { errorResponses, StringEnum } from './schemas/common.js';

const tags = ['libraries'];
const LibraryRef = Type.Ref('LibraryResponse');

export const libraryRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      schema: {
        operationId: 'list_libraries',
        tags,
        querystring: Type.Object({ state: Type.Optional(StringEnum(['live', 'trashed', 'all'] as const)) }),
        response: { 200: Type.Array(LibraryRef), ...errorResponses },
      },
    },
    async (request) => libraries.list(deps, principalOf(request), request.query.state ?? 'live'),
  );

  app.get(
    '/:library_id',
    { schema: { operationId: 'get_library', tags, params: Type.Object({ library_id: Type.String() }), response: { 200: LibraryRef, ...errorResponses } } },
    async (request) => libraries.get(deps, principalOf(request), request.params.library_id),
  );
};
