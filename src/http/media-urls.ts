import type { FastifyRequest } from 'fastify';
import { expiryFor, signedQuery } from '../domain/signed-url.js';
import { RUNGS, type RungName } from '../media/rungs.js';
import type { Deps } from '../services/deps.js';
import { IMAGE_RUNGS, rungMimeType, VIDEO_STILL_RUNGS } from '../services/renditions.js';
import type { AssetRow } from '../store/assets.js';

/** Links stay valid at least this long; clients re-read metadata before streaming (§3.12). */
export const MEDIA_URL_TTL_S = 24 * 3600;

export interface MediaUrlContext {
  origin: string;
  secret: string;
  exp: number;
}

export interface AssetVariant {
  url: string;
  mimetype: string;
  width: number | null;
}

/** Absolute URLs on the origin the client used, so any client can fetch them as given. */
export function mediaUrlContext(request: FastifyRequest, deps: Pick<Deps, 'signingSecret' | 'clock'>): MediaUrlContext {
  return {
    origin: `${request.protocol}://${request.host}`,
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
 * Lean responses carry only the first thumbnail rung.
 */
export function assetUrls(ctx: MediaUrlContext, asset: AssetRow, all: boolean): Record<string, AssetVariant> {
  const video = asset.media_type === 'video';
  const lean = video ? 'thumbnail_image' : 'thumbnail';
  const urls: Record<string, AssetVariant> = { [lean]: rungVariant(ctx, asset, lean, 'thumbnail') };
  if (!all) return urls;
  if (video) {
    for (const [name, rung] of Object.entries(VIDEO_STILL_RUNGS)) urls[name] = rungVariant(ctx, asset, name, rung);
    urls.playback = variant(ctx, asset, 'playback', 'video/mp4', asset.width, {});
  } else {
    for (const rung of IMAGE_RUNGS) urls[rung] = rungVariant(ctx, asset, rung, rung);
  }
  urls.original = variant(ctx, asset, 'original', asset.mime_type, asset.width, { dl: downloadName(asset) });
  return urls;
}

const EDIT_EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png' };

/** The upload keeps its name; an edit downloads under that name with its own format's extension. */
export function downloadName(asset: Pick<AssetRow, 'original_file_name' | 'kind' | 'mime_type'>): string {
  const ext = EDIT_EXTENSIONS[asset.mime_type];
  if (asset.kind === 'original' || !ext) return asset.original_file_name;
  const dot = asset.original_file_name.lastIndexOf('.');
  return `${dot > 0 ? asset.original_file_name.slice(0, dot) : asset.original_file_name}.${ext}`;
}
