import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { parseRange } from '../domain/byte-range.js';
import { verify } from '../domain/signed-url.js';
import { isUndecodableMedia } from '../media/errors.js';
import { isRungName } from '../media/rungs.js';
import { versionAsAsset } from '../services/asset-versions.js';
import type { Deps } from '../services/deps.js';
import { ensureMotionVideo, ensureRung, proxyKey, rungMimeType, VIDEO_STILL_RUNGS } from '../services/renditions.js';
import { ensureFaceThumbnail } from '../services/face-thumbnails.js';
import * as versionStore from '../store/asset-versions.js';
import * as assetStore from '../store/assets.js';
import * as faceStore from '../store/faces.js';
import * as peopleStore from '../store/people.js';
import type { AssetRow } from '../store/assets.js';
import { Forbidden, HttpError, NotFound } from './errors.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Which bytes a rung name means for this asset, rendering a missing rung on first request. */
async function resolveRung(deps: Deps, asset: AssetRow, rung: string): Promise<{ key: string; mimeType: string }> {
  const video = asset.media_type === 'video';
  if (rung === 'original') return { key: asset.blob_key, mimeType: asset.mime_type };
  if (video && rung === 'playback') return playable(deps, asset);
  if (!video && rung === 'live_video') return liveVideo(deps, asset);
  const still = video ? VIDEO_STILL_RUNGS[rung] : isRungName(rung) ? rung : undefined;
  if (!still) throw new NotFound(`No rung named ${rung} for this asset`);
  try {
    return { key: await ensureRung(deps, asset, still), mimeType: rungMimeType(still) };
  } catch (err) {
    if (isUndecodableMedia(err)) throw new NotFound('This rendition is not available: the file cannot be decoded');
    throw err;
  }
}

/** A still's moving part: its embedded motion video, or its Live Photo partner's playable bytes. */
async function liveVideo(deps: Deps, asset: AssetRow): Promise<{ key: string; mimeType: string }> {
  const [meta] = await assetStore.findMetadata(deps.db, [asset.id]);
  if (meta?.motion_photo) {
    const key = await ensureMotionVideo(deps, asset);
    if (key) return { key, mimeType: 'video/mp4' };
  }
  const pair = meta?.live_photo_cid ? await assetStore.findLivePairVideo(deps.db, asset.library_id, meta.live_photo_cid) : undefined;
  if (!pair) throw new NotFound('No live video for this photo (yet)');
  return playable(deps, pair);
}

/**
 * MP4 a browser can play: the display proxy once made, or an MP4 original (one that needs a
 * proxy gets it from video_metadata_extract). Until then 404 at the same, stable URL.
 */
async function playable(deps: Deps, video: AssetRow): Promise<{ key: string; mimeType: string }> {
  const proxy = proxyKey(video);
  if (await deps.blobs.stat(proxy)) return { key: proxy, mimeType: 'video/mp4' };
  if (video.mime_type === 'video/mp4') return { key: video.blob_key, mimeType: 'video/mp4' };
  throw new NotFound('The playable version of this video is still being made');
}

/**
 * The asset as the signed `v` names it: the current rendering, or an earlier version of the
 * same asset (version_urls, §1.9), seen as an asset row so rungs and originals work alike.
 */
async function renderingOf(deps: Deps, assetId: string, v: string): Promise<AssetRow | undefined> {
  // A trashed library hides its media too.
  const asset = await assetStore.findInLiveLibrary(deps.db, assetId);
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
  const signedQuery = Type.Object({ v: Type.String(), exp: Type.Integer(), verify: Type.String(), f: Type.Optional(Type.String()) });
  const checkSignature = (path: string, q: { v: string; exp: number; f?: string; verify: string }) => {
    const verdict = verify(deps.signingSecret, path, { v: q.v, exp: q.exp, f: q.f }, q.verify, Math.floor(deps.clock().getTime() / 1000));
    if (verdict !== 'ok') throw new Forbidden(verdict === 'expired' ? 'This media link has expired' : 'Invalid media link signature');
  };
  /** A face crop (§3.12 faces: `thumbnail`), for the face itself or a person's thumbnail face. */
  const sendFaceCrop = async (faceId: string, request: { headers: Record<string, unknown> }, reply: import('fastify').FastifyReply) => {
    const face = await faceStore.findByIdAnyLibrary(deps.db, faceId);
    const [asset] = face ? await assetStore.findByIdsAnyLibrary(deps.db, [face.asset_id]) : [];
    if (!face || !asset) throw new NotFound('Not Found');
    let key: string;
    try {
      key = await ensureFaceThumbnail(deps, asset, face);
    } catch (err) {
      if (isUndecodableMedia(err)) throw new NotFound('This rendition is not available: the file cannot be decoded');
      throw err;
    }
    const size = (await deps.blobs.stat(key))?.size;
    if (size === undefined) throw new NotFound('Not Found');
    const etag = `"${face.id}-${face.version_id}-${size}"`;
    reply.header('cache-control', IMMUTABLE).header('etag', etag).type('image/webp');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    reply.header('content-length', size);
    return reply.send(deps.blobs.read(key));
  };

  app.get(
    '/faces/:face_id/thumbnail',
    { config: { public: true }, schema: { hide: true, params: Type.Object({ face_id: Type.String() }), querystring: signedQuery } },
    async (request, reply) => {
      const { face_id } = request.params;
      checkSignature(`/media/faces/${face_id}/thumbnail`, request.query);
      const face = await faceStore.findByIdAnyLibrary(deps.db, face_id);
      if (!face || face.version_id !== request.query.v) throw new NotFound('Not Found');
      return sendFaceCrop(face_id, request, reply);
    },
  );

  app.get(
    '/people/:person_id/thumbnail',
    { config: { public: true }, schema: { hide: true, params: Type.Object({ person_id: Type.String() }), querystring: signedQuery } },
    async (request, reply) => {
      const { person_id } = request.params;
      checkSignature(`/media/people/${person_id}/thumbnail`, request.query);
      const person = await peopleStore.findByIdAnyLibrary(deps.db, person_id);
      if (!person || person.thumbnail_face_id !== request.query.v) throw new NotFound('Not Found');
      return sendFaceCrop(request.query.v, request, reply);
    },
  );

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
