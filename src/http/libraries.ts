import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../services/deps.js';
import * as libraries from '../services/libraries.js';
import { principalOf } from './auth.js';
import { Ack, errorResponses, Nullable, StringEnum } from './schemas/common.js';

const tags = ['libraries'];
const LibraryRef = Type.Ref('LibraryResponse');
const LibraryParams = Type.Object({ library_id: Type.String({ description: "Library ID (with 'lib_' prefix)" }) });
const withConflict = { ...errorResponses, 409: Type.Ref('ErrorResponse') };

/** §1.7 libraries: create, read, rename, and the trash → restore | delete (purge) life cycle. */
export const libraryRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/',
    {
      schema: {
        operationId: 'create_library',
        tags,
        body: Type.Object({ name: Type.String({ description: 'Required; trimmed; must not be blank' }), description: Type.Optional(Nullable(Type.String())) }, { title: 'LibraryCreate' }),
        response: { 200: LibraryRef, ...errorResponses },
      },
    },
    async (request) => libraries.create(deps, principalOf(request), request.body),
  );

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
    { schema: { operationId: 'get_library', tags, params: LibraryParams, response: { 200: LibraryRef, ...errorResponses } } },
    async (request) => libraries.get(deps, principalOf(request), request.params.library_id),
  );

  app.patch(
    '/:library_id',
    {
      schema: {
        operationId: 'update_library',
        tags,
        params: LibraryParams,
        body: Type.Object(
          { name: Type.Optional(Nullable(Type.String({ description: 'Omit or null = unchanged; must not be blank' }))), description: Type.Optional(Nullable(Type.String())) },
          { title: 'LibraryUpdate', additionalProperties: true },
        ),
        response: { 200: LibraryRef, ...errorResponses },
      },
    },
    async (request) => libraries.update(deps, principalOf(request), request.params.library_id, request.body),
  );

  app.post(
    '/:library_id/trash',
    { config: { action: 'delete' }, schema: { operationId: 'trash_library', tags, params: LibraryParams, response: { 200: Ack, ...withConflict } } },
    async (request) => {
      await libraries.trash(deps, principalOf(request), request.params.library_id);
      return {};
    },
  );

  app.post(
    '/:library_id/restore',
    { config: { action: 'delete' }, schema: { operationId: 'restore_library', tags, params: LibraryParams, response: { 200: LibraryRef, ...errorResponses } } },
    async (request) => libraries.restore(deps, principalOf(request), request.params.library_id),
  );

  app.delete(
    '/:library_id',
    { config: { action: 'delete_permanently' }, schema: { operationId: 'delete_library', tags, params: LibraryParams, response: { 200: Ack, ...withConflict } } },
    async (request) => {
      await libraries.requestPurge(deps, principalOf(request), request.params.library_id);
      return {};
    },
  );
};
