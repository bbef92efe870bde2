import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { discard } from '../blobs/temp-file.js';
import * as assetStats from '../services/asset-stats.js';
import * as assetTrash from '../services/asset-trash.js';
import * as assetUpload from '../services/asset-upload.js';
import * as assets from '../services/assets.js';
import type { Deps } from '../services/deps.js';
import { FULL, includesOf, needsMetadata, toAssetResponse } from './asset-response.js';
import { principalOf } from './auth.js';
import { mediaUrlContext } from './media-urls.js';
import { unprocessable } from './errors.js';
import { IncludeQuery, UpdateAssetRequest } from './schemas/assets.js';
import { Ack, DateTime, errorResponses, LibraryIdQuery, Limit, StartingAfterId, StringEnum } from './schemas/common.js';
import { receiveUploadForm } from './upload-form.js';

const tags = ['assets'];
const AssetRef = Type.Ref('AssetResponse');
const AssetParams = Type.Object({ asset_id: Type.String({ description: "Asset ID (with 'asset_' prefix)" }) });
const Ids = Type.Array(Type.String(), { maxItems: 200 });
const IdsBody = Type.Object({ ids: Ids });
const LibraryQuery = Type.Object({ library_id: Type.Optional(LibraryIdQuery) });
const State = StringEnum(['live', 'trashed', 'all'] as const);
const Order = StringEnum(['asc', 'desc'] as const);

/** The filters of §1.2 that concern assets alone, shared by list, counts and geo-clusters. */
const filterQuery = {
  library_id: Type.Optional(LibraryIdQuery),
  state: Type.Optional(State),
  local_datetime_after: Type.Optional(DateTime({ description: 'Exclusive lower bound on capture time' })),
  local_datetime_before: Type.Optional(DateTime({ description: 'Exclusive upper bound on capture time' })),
  media_type: Type.Optional(StringEnum(['image', 'video'] as const)),
  ratings: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 5 }), { maxItems: 6 })),
  person_ids: Type.Optional(Type.Array(Type.String(), { maxItems: 200, description: 'Assets with faces of all of these people' })),
  album_id: Type.Optional(Type.String({ description: 'Only assets in this album' })),
  album_filter: Type.Optional(StringEnum(['all', 'in_album', 'not_in_album'] as const, { description: 'Membership of any album; not_in_album cannot go with album_id' })),
};
const geoQuery = {
  bbox: Type.Optional(Type.String({ description: 'min_lon,min_lat,max_lon,max_lat; wraps the antimeridian when min_lon > max_lon' })),
  center: Type.Optional(Type.String({ description: 'lon,lat' })),
  radius: Type.Optional(Type.Number({ description: 'Metres, 0 < radius ≤ 50000' })),
};

export const assetRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/',
    {
      schema: {
        operationId: 'upload_asset',
        tags,
        summary: 'Upload an asset',
        consumes: ['multipart/form-data'],
        response: { 200: AssetRef, 201: AssetRef, ...errorResponses, 507: Type.Ref('ErrorResponse') },
      },
    },
    async (request, reply) => {
      const form = await receiveUploadForm(request, deps.tmpDir, 'asset_data');
      try {
        const result = await assetUpload.upload(deps, principalOf(request), form);
        return reply.code(result.created ? 201 : 200).send(toAssetResponse(result, FULL, mediaUrlContext(request, deps)));
      } finally {
        await discard(form.file);
      }
    },
  );

  app.get(
    '/:asset_id',
    { schema: { operationId: 'get_asset', tags, params: AssetParams, querystring: Type.Object({ include: Type.Optional(IncludeQuery) }), response: { 200: AssetRef, ...errorResponses } } },
    async (request) => {
      const include = includesOf(request.query.include, deps.config);
      const view = await assets.get(deps, principalOf(request), request.params.asset_id, needsMetadata(include));
      const [full] = await assets.withFaces(deps, [view], { faces: include.has('faces'), people: include.has('people') });
      return toAssetResponse(full, include, mediaUrlContext(request, deps));
    },
  );

  app.get(
    '/',
    {
      schema: {
        operationId: 'list_assets',
        tags,
        querystring: Type.Object({
          ...filterQuery,
          ...geoQuery,
          ids: Type.Optional(Ids),
          include: Type.Optional(IncludeQuery),
          order: Type.Optional(Order),
          stack_id: Type.Optional(Type.String({ description: "Only members of this stack ('asset_stack_' prefix)" })),
          limit: Limit,
          starting_after_id: Type.Optional(StartingAfterId),
        }),
        response: { 200: Type.Object({ data: Type.Array(AssetRef), has_more: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const include = includesOf(request.query.include, deps.config);
      const page = await assets.list(deps, principalOf(request), request.query, needsMetadata(include));
      const data = await assets.withFaces(deps, page.data, { faces: include.has('faces'), people: include.has('people') });
      const urls = mediaUrlContext(request, deps);
      return { data: data.map((v) => toAssetResponse(v, include, urls)), has_more: page.has_more };
    },
  );

  app.patch(
    '/:asset_id',
    { schema: { operationId: 'update_asset', tags, summary: 'Update an asset', params: AssetParams, body: UpdateAssetRequest, response: { 200: AssetRef, ...errorResponses } } },
    async (request) => {
      const view = await assets.update(deps, principalOf(request), request.params.asset_id, request.body);
      const [full] = await assets.withFaces(deps, [view], { faces: true, people: true });
      return toAssetResponse(full, FULL, mediaUrlContext(request, deps));
    },
  );

  app.delete(
    '/:asset_id',
    { config: { action: 'delete_permanently' }, schema: { operationId: 'delete_asset', tags, params: AssetParams, response: { 200: Ack, ...errorResponses } } },
    async (request) => {
      await assetTrash.deleteOne(deps, principalOf(request), request.params.asset_id);
      return {};
    },
  );

  app.post(
    '/bulk-update',
    {
      schema: {
        operationId: 'bulk_update_assets',
        tags,
        body: Type.Object({ updates: Type.Array(Type.Object({ id: Type.String(), change: UpdateAssetRequest }), { minItems: 1, maxItems: 200 }) }),
        response: { 200: Ack, ...errorResponses },
      },
    },
    async (request) => {
      await assets.bulkUpdate(deps, principalOf(request), request.body.updates);
      return {};
    },
  );

  const ExistList = Type.Array(Type.String(), { maxItems: 5000 });
  app.post(
    '/exist',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'check_asset_existence',
        tags,
        querystring: LibraryQuery,
        body: Type.Object({
          checksums: Type.Optional(ExistList),
          checksum_sha1s: Type.Optional(ExistList),
          deviceId: Type.Optional(Type.String()),
          deviceAssetIds: Type.Optional(ExistList),
        }),
        response: { 200: Type.Object({ assets: Type.Array(Type.Ref('AssetLiteResponse')) }, { title: 'AssetExistenceResponse' }), ...errorResponses },
      },
    },
    async (request) => {
      const { checksums, checksum_sha1s, deviceId, deviceAssetIds } = request.body;
      const given = [checksums !== undefined, checksum_sha1s !== undefined, deviceId !== undefined || deviceAssetIds !== undefined].filter(Boolean).length;
      if (given !== 1) throw unprocessable(['body'], 'Provide exactly one criterion: checksums, checksum_sha1s, or deviceId with deviceAssetIds');
      if ((deviceId === undefined) !== (deviceAssetIds === undefined)) {
        throw unprocessable(['body', deviceId === undefined ? 'deviceId' : 'deviceAssetIds'], 'deviceId and deviceAssetIds go together', 'missing');
      }
      const criterion = checksums ? { checksums } : checksum_sha1s ? { checksumSha1s: checksum_sha1s } : { deviceId: deviceId!, deviceAssetIds: deviceAssetIds! };
      const rows = await assets.exist(deps, principalOf(request), request.query.library_id, criterion);
      return {
        assets: rows.map((a) => ({ id: a.id, checksum: a.checksum, checksum_sha1: a.checksum_sha1, device_asset_id: a.device_asset_id, device_id: a.device_id })),
      };
    },
  );

  app.get(
    '/geo-clusters',
    {
      schema: {
        operationId: 'get_geo_clusters',
        tags,
        querystring: Type.Object({ ...filterQuery, bbox: Type.String(), cell_size: Type.Number({ minimum: 0.0001 }) }),
        response: {
          200: Type.Object(
            { data: Type.Array(Type.Object({ count: Type.Integer(), latitude: Type.Number(), longitude: Type.Number(), representative_asset_id: Type.String() })) },
            { title: 'AssetClusterByGeoResponse' },
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => assetStats.geoClusters(deps, principalOf(request), request.query),
  );

  app.get(
    '/counts',
    {
      schema: {
        operationId: 'count_assets',
        tags,
        querystring: Type.Object({
          ...filterQuery,
          group_by: StringEnum(['day', 'week', 'month', 'year'] as const),
          order: Type.Optional(Order),
          limit: Limit,
          starting_after_bucket: Type.Optional(Type.String({ description: 'The last time_bucket of the previous page' })),
        }),
        response: {
          200: Type.Object({ data: Type.Array(Type.Object({ time_bucket: Type.String(), count: Type.Integer() })), has_more: Type.Boolean() }, { title: 'AssetCountResponse' }),
          ...errorResponses,
        },
      },
    },
    async (request) => assetStats.counts(deps, principalOf(request), request.query),
  );

  const trashFamily = [
    ['delete', '/', 'delete_assets', 'delete_permanently', assetTrash.deleteMany],
    ['post', '/trash', 'trash_assets', 'delete', assetTrash.trash],
    ['post', '/restore', 'restore_assets', 'delete', assetTrash.restore],
  ] as const;
  for (const [method, url, operationId, action, run] of trashFamily) {
    app[method](url, { config: { action }, schema: { operationId, tags, querystring: LibraryQuery, body: IdsBody, response: { 200: Ack, ...errorResponses } } }, async (request) => {
      await run(deps, principalOf(request), request.query.library_id, request.body.ids);
      return {};
    });
  }

  app.post('/empty-trash', { config: { action: 'delete_permanently' }, schema: { operationId: 'empty_trash', tags, querystring: LibraryQuery, response: { 200: Ack, ...errorResponses } } }, async (request) => {
    await assetTrash.emptyTrash(deps, principalOf(request), request.query.library_id);
    return {};
  });
};
