import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as albumAssets from '../services/album-assets.js';
import type { Deps } from '../services/deps.js';
import { toAlbumAssetResponse } from './album-response.js';
import { principalOf } from './auth.js';
import { CursorPage, errorResponses, LibraryIdQuery, Limit, StartingAfterId } from './schemas/common.js';

const tags = ['album-assets'];
const LinkRef = Type.Ref('AlbumAssetResponse');

/** §1.11 album-asset link records, for sync. */
export const albumAssetRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      schema: {
        operationId: 'list_album_assets',
        tags,
        querystring: Type.Object({
          album_id: Type.Optional(Type.String()),
          asset_id: Type.Optional(Type.String()),
          ids: Type.Optional(Type.Array(Type.String(), { maxItems: 200 })),
          library_id: Type.Optional(LibraryIdQuery),
          limit: Limit,
          starting_after_id: Type.Optional(StartingAfterId),
        }),
        response: { 200: CursorPage(LinkRef, 'CursorPage_AlbumAssetResponse'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await albumAssets.list(deps, principalOf(request), request.query);
      return { data: page.data.map(toAlbumAssetResponse), has_more: page.has_more };
    },
  );

  app.get(
    '/:album_asset_id',
    {
      schema: {
        operationId: 'get_album_asset',
        tags,
        params: Type.Object({ album_asset_id: Type.String({ description: "Link ID (with 'album_asset_' prefix)" }) }),
        response: { 200: LinkRef, ...errorResponses },
      },
    },
    async (request) => toAlbumAssetResponse(await albumAssets.get(deps, principalOf(request), request.params.album_asset_id)),
  );
};
