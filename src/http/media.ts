import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { parseRange } from '../domain/byte-range.js';
import { verify } from '../domain/signed-url.js';
import { isUndecodableMedia } from '../media/errors.js';
import { isRungName } from '../media/rungs.js';
import { versionAsAsset } from '../services/asset-versions.js';
import type { Deps } from '../services/deps.js';
import { ensureRung, proxyKey, rungMimeType, VIDEO_STILL_RUNGS } from '../services/renditions.js';
import * as versionStore from '../store/asset-versions.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import { Forbidden, HttpError, NotFound } from './errors.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Which bytes a rung name means for this asset, rendering a missing rung on first request. */
async function resolveRung(deps: Deps, asset: AssetRow, rung: string): Promise<{ key: string; mimeType: string }> {
  const video = asset.media_type === 'video';
  if (rung === 'original') return { key: asset.blob_key, mimeType: asset.mime_type };
  if (video && rung === 'playback') {
    const proxy = proxyKey(asset);
    return (await deps.blobs.stat(proxy)) ? { key: proxy, mimeType: 'video/mp4' } : { key: asset.blob_key, mimeType: asset.mime_type };
  }
  const still = video ? VIDEO_STILL_RUNGS[rung] : isRungName(rung) ? rung : undefined;
  if (!still) throw new NotFound(`No rung named ${rung} for this asset`);
  try {
    return { key: await ensureRung(deps, asset, still), mimeType: rungMimeType(still) };
  } catch (err) {
    if (isUndecodableMedia(err)) throw new NotFound('This rendition is not available: the file cannot be decoded');
    throw err;
  }
}

/**
 * The asset as the signed `v` names it: the current rendering, or an earlier version of the
 * same asset (version_urls, §1.9), seen as an asset row so rungs and originals work alike.
 */
async function renderingOf(deps: Deps, assetId: string, v: string): Promise<AssetRow | undefined> {
  const [asset] = await assetStore.findByIdsAnyLibrary(deps.db, [assetId]);
  if (!asset || asset.current_version_id === v) return asset;
  const version = await versionStore.find(deps.db, assetId, v);
  return version && versionAsAsset(asset, version);
}

const attachment = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/**
 * Signed media URLs (§3.12): no Authorization header; the signature covers path and
 * parameters. Range requests, strong caching (a new rendering gets a new `v`), and
 * `Content-Disposition: attachment` for originals.
 */
export const mediaRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/:asset_id/:rung',
    {
      config: { public: true },
      schema: {
        hide: true,
        params: Type.Object({ asset_id: Type.String(), rung: Type.String() }),
        querystring: Type.Object({
          v: Type.String(),
          exp: Type.Integer(),
          verify: Type.String(),
          w: Type.Optional(Type.Integer()),
          f: Type.Optional(Type.String()),
          dl: Type.Optional(Type.String()),
        }),
      },
    },
    async (request, reply) => {
      const { asset_id, rung } = request.params;
      const { v, exp, w, f, dl, verify: given } = request.query;
      const verdict = verify(deps.signingSecret, `/media/${asset_id}/${rung}`, { v, exp, w, f, dl }, given, Math.floor(deps.clock().getTime() / 1000));
      if (verdict !== 'ok') throw new Forbidden(verdict === 'expired' ? 'This media link has expired' : 'Invalid media link signature');
      const asset = await renderingOf(deps, asset_id, v);
      if (!asset) throw new NotFound('Not Found');

      const { key, mimeType } = await resolveRung(deps, asset, rung);
      const size = (await deps.blobs.stat(key))?.size;
      if (size === undefined) throw new NotFound('Not Found');
      const etag = `"${v}-${rung}-${size}"`;
      reply.header('cache-control', IMMUTABLE).header('etag', etag).header('accept-ranges', 'bytes').type(mimeType);
      if (rung === 'original') reply.header('content-disposition', attachment(dl ?? asset.original_file_name));
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();

      const range = parseRange(request.headers.range, size);
      if (range.kind === 'unsatisfiable') {
        throw new HttpError(416, 'Requested range not satisfiable', { 'content-range': `bytes */${size}` });
      }
      if (range.kind === 'partial') {
        reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
        return reply.send(deps.blobs.read(key, { start: range.start, end: range.end }));
      }
      reply.header('content-length', size);
      return reply.send(deps.blobs.read(key));
    },
  );
};
