import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../services/deps.js';
import * as faces from '../services/faces.js';
import { principalOf } from './auth.js';
import { toFaceResponse } from './face-response.js';
import { mediaUrlContext } from './media-urls.js';
import { BoundingBoxInput } from './schemas/faces.js';
import { Ack, CursorPage, errorResponses, LibraryIdQuery, Limit, Nullable, StartingAfterId, StringEnum } from './schemas/common.js';

const tags = ['faces'];
const FaceRef = Type.Ref('FaceResponse');
const FaceParams = Type.Object({ face_id: Type.String({ description: "Face ID (with 'face_' prefix)" }) });
const Include = Type.Array(StringEnum(['cluster_assignment'] as const), { description: 'cluster_assignment: distance to the person and ranked candidates' });
const LibraryQuery = Type.Object({ library_id: Type.Optional(LibraryIdQuery) });

/** §1.12 faces. */
export const faceRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/',
    {
      schema: {
        operationId: 'create_face',
        tags,
        summary: 'Create a manual face',
        body: Type.Object(
          { asset_id: Type.String(), bounding_box: BoundingBoxInput, person_id: Type.Optional(Nullable(Type.String())), library_id: Type.Optional(Nullable(Type.String())) },
          { title: 'FaceCreate' },
        ),
        response: { 200: FaceRef, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body as faces.CreateFaceInput & { library_id?: string | null };
      const view = await faces.create(deps, principalOf(request), { ...body, library_id: body.library_id ?? undefined });
      return toFaceResponse(view, mediaUrlContext(request, deps));
    },
  );

  app.get(
    '/:face_id',
    {
      schema: {
        operationId: 'get_face',
        tags,
        params: FaceParams,
        querystring: Type.Object({ include: Type.Optional(Include), library_id: Type.Optional(LibraryIdQuery) }),
        response: { 200: FaceRef, ...errorResponses },
      },
    },
    async (request) => toFaceResponse(await faces.get(deps, principalOf(request), request.params.face_id, request.query), mediaUrlContext(request, deps)),
  );

  app.patch(
    '/:face_id',
    {
      schema: {
        operationId: 'update_face',
        tags,
        params: FaceParams,
        querystring: LibraryQuery,
        body: Type.Object({ person_id: Nullable(Type.String({ description: "A person_ id to assign, null to detach" })) }, { title: 'FaceUpdate' }),
        response: { 200: FaceRef, ...errorResponses },
      },
    },
    async (request) => {
      const view = await faces.update(deps, principalOf(request), request.params.face_id, { person_id: request.body.person_id, library_id: request.query.library_id });
      return toFaceResponse(view, mediaUrlContext(request, deps));
    },
  );

  app.get(
    '/',
    {
      schema: {
        operationId: 'list_faces',
        tags,
        querystring: Type.Object({
          asset_id: Type.Optional(Type.String()),
          person_id: Type.Optional(Type.String()),
          ids: Type.Optional(Type.Array(Type.String(), { maxItems: 200 })),
          include: Type.Optional(Include),
          library_id: Type.Optional(LibraryIdQuery),
          limit: Limit,
          starting_after_id: Type.Optional(StartingAfterId),
        }),
        response: { 200: CursorPage(FaceRef, 'FaceList'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await faces.list(deps, principalOf(request), request.query);
      const urls = mediaUrlContext(request, deps);
      return { data: page.data.map((v) => toFaceResponse(v, urls)), has_more: page.has_more };
    },
  );

  app.delete(
    '/:face_id',
    { schema: { operationId: 'delete_face', tags, params: FaceParams, querystring: LibraryQuery, response: { 200: Ack, ...errorResponses } } },
    async (request) => {
      await faces.remove(deps, principalOf(request), request.params.face_id, request.query.library_id);
      return {};
    },
  );
};
