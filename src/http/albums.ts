import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as albums from '../services/albums.js';
import type { Deps } from '../services/deps.js';
import { toAlbumResponse } from './album-response.js';
import { principalOf } from './auth.js';
import { mediaUrlContext } from './media-urls.js';
import { AlbumAssetIds, CreateAlbumRequest, UpdateAlbumRequest } from './schemas/albums.js';
import { Ack, CursorPage, errorResponses, LibraryIdQuery, Limit, StartingAfterId } from './schemas/common.js';

const tags = ['albums'];
const AlbumRef = Type.Ref('AlbumResponse');
const AlbumParams = Type.Object({ album_id: Type.String({ description: "Album ID (with 'album_' prefix)" }) });

/** §1.10 albums and their asset associations. */
export const albumRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/',
    { schema: { operationId: 'create_album', tags, body: CreateAlbumRequest, response: { 200: AlbumRef, ...errorResponses } } },
    async (request) => {
      const { name, description, library_id } = request.body;
      const view = await albums.create(deps, principalOf(request), { name, description, library_id: library_id ?? undefined });
      return toAlbumResponse(view, mediaUrlContext(request, deps));
    },
  );

  app.get(
    '/:album_id',
    { schema: { operationId: 'get_album', tags, params: AlbumParams, response: { 200: AlbumRef, ...errorResponses } } },
    async (request) => toAlbumResponse(await albums.get(deps, principalOf(request), request.params.album_id), mediaUrlContext(request, deps)),
  );

  app.patch(
    '/:album_id',
    { schema: { operationId: 'update_album', tags, params: AlbumParams, body: UpdateAlbumRequest, response: { 200: AlbumRef, ...errorResponses } } },
    async (request) => toAlbumResponse(await albums.update(deps, principalOf(request), request.params.album_id, request.body), mediaUrlContext(request, deps)),
  );

  app.get(
    '/',
    {
      schema: {
        operationId: 'list_albums',
        tags,
        querystring: Type.Object({
          asset_id: Type.Optional(Type.String({ description: 'Only albums holding this (live) asset' })),
          ids: Type.Optional(Type.Array(Type.String(), { maxItems: 200 })),
          library_id: Type.Optional(LibraryIdQuery),
          limit: Limit,
          starting_after_id: Type.Optional(StartingAfterId),
        }),
        response: { 200: CursorPage(AlbumRef, 'CursorPage_AlbumResponse'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await albums.list(deps, principalOf(request), request.query);
      const urls = mediaUrlContext(request, deps);
      return { data: page.data.map((v) => toAlbumResponse(v, urls)), has_more: page.has_more };
    },
  );

  app.delete(
    '/:album_id',
    { schema: { operationId: 'delete_album', tags, params: AlbumParams, response: { 200: Ack, ...errorResponses } } },
    async (request) => {
      await albums.remove(deps, principalOf(request), request.params.album_id);
      return {};
    },
  );

  app.post(
    '/:album_id/assets',
    {
      schema: {
        operationId: 'add_assets_to_album',
        tags,
        params: AlbumParams,
        body: AlbumAssetIds,
        response: { 200: Type.Ref('AssetsAssociationAddResponse'), ...errorResponses },
      },
    },
    async (request) => albums.addAssets(deps, principalOf(request), request.params.album_id, request.body.asset_ids),
  );

  app.delete(
    '/:album_id/assets',
    { config: { action: 'write' }, schema: { operationId: 'remove_assets_from_album', tags, params: AlbumParams, body: AlbumAssetIds, response: { 200: Ack, ...errorResponses } } },
    async (request) => {
      await albums.removeAssets(deps, principalOf(request), request.params.album_id, request.body.asset_ids);
      return {};
    },
  );
};
