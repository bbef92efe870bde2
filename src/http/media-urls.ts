import type { FastifyRequest } from 'fastify';
import { expiryFor, signedQuery } from '../domain/signed-url.js';
import { RUNGS, type RungName } from '../media/rungs.js';
import type { Deps } from '../services/deps.js';
import { IMAGE_RUNGS, rungMimeType, VIDEO_STILL_RUNGS } from '../services/renditions.js';
import type { AssetRow } from '../store/assets.js';
import { publicBase } from './public-url.js';

/** Links stay valid at least this long; clients re-read metadata before streaming (§3.12). */
export const MEDIA_URL_TTL_S = 24 * 3600;

export interface MediaUrlContext {
  /** The public base every media URL starts with: an origin plus an optional path prefix (see public-url.ts). */
  origin: string;
  secret: string;
  exp: number;
}

export interface AssetVariant {
  url: string;
  mimetype: string;
  width: number | null;
}

/**
 * Absolute URLs on the server's public origin (EUCALYPT_PUBLIC_URL, else the origin the client
 * used), so any client, browser or proxy can fetch them as given. Build every `url` in a
 * response (asset_urls, version_urls, face/person/album thumbnails) from this context.
 */
export function mediaUrlContext(request: FastifyRequest, deps: Pick<Deps, 'signingSecret' | 'clock' | 'config'>): MediaUrlContext {
  return {
    origin: publicBase(request, deps.config),
    secret: deps.signingSecret,
    exp: expiryFor(Math.floor(deps.clock().getTime() / 1000), MEDIA_URL_TTL_S),
  };
}

function targetWidth(asset: Pick<AssetRow, 'width' | 'height'>, rung: RungName): number | null {
  if (!asset.width || !asset.height) return null;
  const longEdge = RUNGS[rung].longEdge;
  const scale = longEdge === null ? 1 : Math.min(1, longEdge / Math.max(asset.width, asset.height));
  return Math.max(1, Math.round(asset.width * scale));
}

function variant(ctx: MediaUrlContext, asset: AssetRow, name: string, mimetype: string, width: number | null, extra: { f?: string; dl?: string }): AssetVariant {
  const path = `/media/${asset.id}/${name}`;
  const query = signedQuery(ctx.secret, path, { v: asset.current_version_id, exp: ctx.exp, w: width, ...extra });
  return { url: `${ctx.origin}${path}?${query}`, mimetype, width };
}

function rungVariant(ctx: MediaUrlContext, asset: AssetRow, name: string, rung: RungName): AssetVariant {
  return variant(ctx, asset, name, rungMimeType(rung), targetWidth(asset, rung), { f: RUNGS[rung].format });
}


/**
 * §3.12 rungs: photos `thumbnail|small|preview|fullsize|original`; videos `original`, the
 * `*_image` stills and `playback` (a browser-playable MP4: the proxy when one was made).
 * Lean responses carry only the first thumbnail rung. Live and motion photos add `live_video`
 * (an extension clients that do not know it ignore).
 */
export function assetUrls(ctx: MediaUrlContext, asset: AssetRow, all?: { liveVideo: boolean }): Record<string, AssetVariant> {
  const video = asset.media_type === 'video';
  const lean = video ? 'thumbnail_image' : 'thumbnail';
  const urls: Record<string, AssetVariant> = { [lean]: rungVariant(ctx, asset, lean, 'thumbnail') };
  if (!all) return urls;
  if (video) {
    for (const [name, rung] of Object.entries(VIDEO_STILL_RUNGS)) urls[name] = rungVariant(ctx, asset, name, rung);
    urls.playback = variant(ctx, asset, 'playback', 'video/mp4', asset.width, {});
  } else {
    for (const rung of IMAGE_RUNGS) urls[rung] = rungVariant(ctx, asset, rung, rung);
    if (all.liveVideo) urls.live_video = variant(ctx, asset, 'live_video', 'video/mp4', null, {});
  }
  urls.original = variant(ctx, asset, 'original', asset.mime_type, asset.width, { dl: downloadName(asset) });
  return urls;
}

/** A face's `thumbnail` (its crop); boxes never change, so the URL is stable for the face's rendering. */
export function faceUrls(ctx: MediaUrlContext, face: { id: string; version_id: string }): Record<string, AssetVariant> {
  const path = `/media/faces/${face.id}/thumbnail`;
  const query = signedQuery(ctx.secret, path, { v: face.version_id, exp: ctx.exp, f: 'webp' });
  return { thumbnail: { url: `${ctx.origin}${path}?${query}`, mimetype: 'image/webp', width: null } };
}

/** A person's `thumbnail`: the crop of its thumbnail face; a new thumbnail face gives a new URL. */
export function personUrls(ctx: MediaUrlContext, person: { id: string; thumbnail_face_id: string | null }): Record<string, AssetVariant> | null {
  if (!person.thumbnail_face_id) return null;
  const path = `/media/people/${person.id}/thumbnail`;
  const query = signedQuery(ctx.secret, path, { v: person.thumbnail_face_id, exp: ctx.exp, f: 'webp' });
  return { thumbnail: { url: `${ctx.origin}${path}?${query}`, mimetype: 'image/webp', width: null } };
}

/** An album's `asset_urls` (§3.12): its cover's thumbnail, under the key `thumbnail` for photos and videos alike. */
export function coverUrls(ctx: MediaUrlContext, cover: AssetRow): Record<string, AssetVariant> {
  const rung = cover.media_type === 'video' ? 'thumbnail_image' : 'thumbnail';
  return { thumbnail: rungVariant(ctx, cover, rung, 'thumbnail') };
}

const EDIT_EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png' };

/** The upload keeps its name; an edit downloads under that name with its own format's extension. */
export function downloadName(asset: Pick<AssetRow, 'original_file_name' | 'kind' | 'mime_type'>): string {
  const ext = EDIT_EXTENSIONS[asset.mime_type];
  if (asset.kind === 'original' || !ext) return asset.original_file_name;
  const dot = asset.original_file_name.lastIndexOf('.');
  return `${dot > 0 ? asset.original_file_name.slice(0, dot) : asset.original_file_name}.${ext}`;
}
