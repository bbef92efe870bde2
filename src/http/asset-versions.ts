import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { discard } from '../blobs/temp-file.js';
import { MAX_VERSION_BYTES } from '../domain/asset-versions.js';
import * as versions from '../services/asset-versions.js';
import type { Deps } from '../services/deps.js';
import type { AssetRow } from '../store/assets.js';
import type { VersionRow } from '../store/asset-versions.js';
import { FULL, toAssetResponse } from './asset-response.js';
import { principalOf } from './auth.js';
import { assetUrls, type MediaUrlContext, mediaUrlContext } from './media-urls.js';
import { errorResponses } from './schemas/common.js';
import { VersionIncludeQuery } from './schemas/asset-versions.js';
import { receiveUploadForm } from './upload-form.js';

const tags = ['asset versions'];
const VersionRef = Type.Ref('AssetVersionResponse');
const AssetParams = Type.Object({ asset_id: Type.String({ description: "Asset ID (with 'asset_' prefix)" }) });
const VersionParams = Type.Object({ asset_id: Type.String(), version_id: Type.String({ description: "Version ID (with 'asset_version_' prefix)" }) });
const IncludeQuerystring = Type.Object({ include: Type.Optional(VersionIncludeQuery) });
const responses = { ...errorResponses, 409: Type.Ref('ErrorResponse') };
const uploadResponses = { 200: VersionRef, ...responses, 507: Type.Ref('ErrorResponse') };

/** §2.9; `version_urls` holds the lean thumbnail, or with `include=variants` every rung plus `original` (that version's exact bytes). */
function toVersionResponse(asset: AssetRow, version: VersionRow, urls: MediaUrlContext, all: boolean) {
  const rendering = versions.versionAsAsset(asset, version);
  return {
    id: version.id,
    position: version.position,
    kind: version.kind,
    mime_type: version.mime_type,
    width: rendering.width ?? 0,
    height: rendering.height ?? 0,
    file_size_bytes: version.file_size_bytes,
    checksum: version.checksum,
    params: version.params === null ? null : (JSON.parse(version.params) as Record<string, unknown>),
    version_urls: assetUrls(urls, rendering, all ? { liveVideo: false } : undefined),
  };
}

/** §1.9: an asset's chain of renderings. Registered under /api/assets beside the asset routes. */
export const assetVersionRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/:asset_id/versions',
    { schema: { operationId: 'list_asset_versions', tags, params: AssetParams, querystring: IncludeQuerystring, response: { 200: Type.Array(VersionRef), ...errorResponses } } },
    async (request) => {
      const { asset, versions: chain } = await versions.list(deps, principalOf(request), request.params.asset_id);
      const urls = mediaUrlContext(request, deps);
      const all = request.query.include?.includes('variants') ?? false;
      return chain.map((v) => toVersionResponse(asset, v, urls, all));
    },
  );

  /** Append or replace: the multipart form streams to a temp file, removed whatever happens. */
  const upload = async (request: FastifyRequest, params: { asset_id: string; version_id?: string }, include: string[] | undefined) => {
    const form = await receiveUploadForm(request, deps.tmpDir, 'file', { maxFileBytes: MAX_VERSION_BYTES });
    try {
      const who = principalOf(request);
      const { asset, version } = params.version_id !== undefined
        ? await versions.replace(deps, who, params.asset_id, params.version_id!, form)
        : await versions.append(deps, who, params.asset_id, form);
      return toVersionResponse(asset, version, mediaUrlContext(request, deps), include?.includes('variants') ?? false);
    } finally {
      await discard(form.file);
    }
  };

  app.post(
    '/:asset_id/versions',
    {
      schema: {
        operationId: 'append_asset_version',
        tags,
        summary: 'Append an edited rendering (only while the original is current)',
        consumes: ['multipart/form-data'],
        params: AssetParams,
        querystring: IncludeQuerystring,
        response: uploadResponses,
      },
    },
    async (request) => upload(request, request.params, request.query.include),
  );

  app.post(
    '/:asset_id/versions/:version_id/replace',
    {
      schema: {
        operationId: 'replace_asset_version',
        tags,
        summary: 'Replace the current edited rendering',
        consumes: ['multipart/form-data'],
        params: VersionParams,
        querystring: IncludeQuerystring,
        response: uploadResponses,
      },
    },
    async (request) => upload(request, request.params, request.query.include),
  );

  app.delete(
    '/:asset_id/versions/:version_id',
    { config: { action: 'delete_permanently' }, schema: { operationId: 'delete_asset_version', tags, params: VersionParams, response: { 200: Type.Ref('AssetResponse'), ...responses } } },
    async (request) => toAssetResponse(await versions.remove(deps, principalOf(request), request.params.asset_id, request.params.version_id), FULL, mediaUrlContext(request, deps)),
  );

  app.post(
    '/:asset_id/versions/:version_id/revert',
    { config: { action: 'delete_permanently' }, schema: { operationId: 'revert_asset_version', tags, params: VersionParams, response: { 200: Type.Ref('AssetResponse'), ...responses } } },
    async (request) => toAssetResponse(await versions.revert(deps, principalOf(request), request.params.asset_id, request.params.version_id), FULL, mediaUrlContext(request, deps)),
  );
};
