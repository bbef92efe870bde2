import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../services/deps.js';
import * as people from '../services/people.js';
import { principalOf } from './auth.js';
import { toPersonResponse } from './face-response.js';
import { mediaUrlContext } from './media-urls.js';
import { Ack, CursorPage, errorResponses, LibraryIdQuery, Limit, Nullable, StartingAfterId, StringEnum } from './schemas/common.js';

const tags = ['people'];
const PersonRef = Type.Ref('PersonResponse');
const PersonParams = Type.Object({ person_id: Type.String({ description: "Person ID (with 'person_' prefix)" }) });
const Include = Type.Array(StringEnum(['cluster_metrics'] as const), { description: 'cluster_metrics: cohesion of the person’s faces' });
const BirthDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const fields = {
  name: Type.Optional(Nullable(Type.String())),
  birth_date: Type.Optional(Nullable(BirthDate)),
  is_favorite: Type.Optional(Type.Boolean()),
  is_hidden: Type.Optional(Type.Boolean()),
  thumbnail_face_id: Type.Optional(Nullable(Type.String())),
};

/** §1.13 people. */
export const peopleRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/',
    {
      schema: {
        operationId: 'create_person',
        tags,
        body: Type.Object({ ...fields, library_id: Type.Optional(Nullable(Type.String())) }, { title: 'PersonCreate' }),
        response: { 200: PersonRef, ...errorResponses },
      },
    },
    async (request) => {
      const view = await people.create(deps, principalOf(request), { ...request.body, library_id: request.body.library_id ?? undefined });
      return toPersonResponse(view, mediaUrlContext(request, deps));
    },
  );

  app.get(
    '/:person_id',
    {
      schema: {
        operationId: 'get_person',
        tags,
        params: PersonParams,
        querystring: Type.Object({ include: Type.Optional(Include), library_id: Type.Optional(LibraryIdQuery) }),
        response: { 200: PersonRef, ...errorResponses },
      },
    },
    async (request) => toPersonResponse(await people.get(deps, principalOf(request), request.params.person_id, request.query), mediaUrlContext(request, deps)),
  );

  app.patch(
    '/:person_id',
    { schema: { operationId: 'update_person', tags, params: PersonParams, body: Type.Object(fields, { title: 'PersonUpdate' }), response: { 200: PersonRef, ...errorResponses } } },
    async (request) => toPersonResponse(await people.update(deps, principalOf(request), request.params.person_id, request.body), mediaUrlContext(request, deps)),
  );

  app.get(
    '/',
    {
      schema: {
        operationId: 'list_people',
        tags,
        querystring: Type.Object({
          album_id: Type.Optional(Type.String()),
          asset_id: Type.Optional(Type.String()),
          ids: Type.Optional(Type.Array(Type.String(), { maxItems: 200 })),
          include: Type.Optional(Include),
          library_id: Type.Optional(LibraryIdQuery),
          limit: Limit,
          starting_after_id: Type.Optional(StartingAfterId),
          name: Type.Optional(Type.String({ description: 'Case-insensitive substring of the name' })),
          name_filter: Type.Optional(StringEnum(['named', 'unnamed', 'all'] as const)),
          sort: Type.Optional(StringEnum(people.SORTS)),
        }),
        response: { 200: CursorPage(PersonRef, 'PersonList'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await people.list(deps, principalOf(request), request.query);
      const urls = mediaUrlContext(request, deps);
      return { data: page.data.map((v) => toPersonResponse(v, urls)), has_more: page.has_more };
    },
  );

  app.delete(
    '/:person_id',
    {
      schema: {
        operationId: 'delete_person',
        tags,
        params: PersonParams,
        querystring: Type.Object({ library_id: Type.Optional(LibraryIdQuery) }),
        response: { 200: Ack, 409: Type.Ref('ErrorResponse'), ...errorResponses },
      },
    },
    async (request) => {
      await people.remove(deps, principalOf(request), request.params.person_id, request.query.library_id);
      return {};
    },
  );

  app.post(
    '/:person_id/merge',
    {
      schema: {
        operationId: 'merge_people',
        tags,
        params: PersonParams,
        body: Type.Object({ source_person_ids: Type.Array(Type.String(), { minItems: 1, maxItems: 50 }) }, { title: 'PersonMerge' }),
        response: { 200: PersonRef, 204: Type.Null({ description: 'Target and sources were unnamed and faceless: the target is gone too' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const view = await people.merge(deps, principalOf(request), request.params.person_id, request.body.source_person_ids);
      if (!view) return reply.code(204).send(null);
      return toPersonResponse(view, mediaUrlContext(request, deps));
    },
  );
};
