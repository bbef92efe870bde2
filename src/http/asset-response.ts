import type { Config } from '../config.js';
import { effectiveValues } from '../domain/asset-metadata.js';
import { formatLocalDateTime } from '../domain/capture-time.js';
import { displayLabel } from '../domain/display-label.js';
import type { AssetView } from '../services/assets.js';
import type { MetadataRow } from '../store/assets.js';
import { toFaceResponse, toPersonResponse } from './face-response.js';
import { assetUrls, type MediaUrlContext } from './media-urls.js';
import { ASSET_INCLUDES, type AssetInclude } from './schemas/assets.js';

export type Includes = ReadonlySet<AssetInclude>;

/** Upload and PATCH answer with the full shape (§3.6). */
export const FULL: Includes = new Set(ASSET_INCLUDES);
export const LEAN: Includes = new Set();

/**
 * The pre-lean default (§3.6) that EUCALYPT_FULL_RESPONSES restores for older clients. `faces` and
 * `people` list what the asset has (an empty list when it has none).
 */
export const LEGACY_DEFAULT: Includes = new Set<AssetInclude>(['metadata', 'file_data', 'variants', 'faces', 'people']);

/** The expansions of an asset read or list: the request's tokens, plus the legacy default in full-response mode. */
export function includesOf(tokens: AssetInclude[] | undefined, config: Pick<Config, 'fullResponses'>): Includes {
  return new Set([...(tokens ?? []), ...(config.fullResponses ? LEGACY_DEFAULT : [])]);
}

/** The metadata row is read for `metadata`, and for `variants` (whether a live video exists). */
export const needsMetadata = (include: Includes) => include.has('metadata') || include.has('variants');

function toMetadataResponse(m: MetadataRow) {
  const effective = effectiveValues(m, m);
  return {
    asset_id: m.asset_id,
    created_at: m.created_at,
    updated_at: m.updated_at,
    make: m.make,
    model: m.model,
    lens_model: m.lens_model,
    f_number: m.f_number,
    focal_length: m.focal_length,
    exposure_time: m.exposure_time,
    exposure_bias: m.exposure_bias,
    iso: m.iso,
    orientation: m.orientation,
    raw_width: m.raw_width,
    raw_height: m.raw_height,
    original_datetime: effective.original_datetime,
    digitized_datetime: m.digitized_datetime,
    modified_datetime: m.modified_datetime,
    latitude: effective.latitude,
    longitude: effective.longitude,
    altitude: effective.latitude === null ? null : m.altitude,
    city: m.city,
    state: m.state,
    country: m.country,
    country_code: m.country_code,
    sublocation: m.sublocation,
    place_name: m.place_name,
    timezone: m.timezone,
    display_label: displayLabel(m),
    description: effective.description,
    fps: m.fps,
    live_photo_cid: m.live_photo_cid,
    projection_type: m.projection_type,
    auto_stack_id: m.auto_stack_id,
    rating: effective.rating,
  };
}

/** Stored quality scores (domain/image-metrics.ts); `{}` until the embedding task has run. */
function metricsOf(json: string | null): Record<string, number | null> {
  if (!json) return {};
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'number' && Number.isFinite(v) ? v : null]));
  } catch {
    return {};
  }
}

/** A photo with a moving part: its own embedded video, or a video asset with the same Apple content id. */
const hasLiveVideo = (m: MetadataRow | undefined) => Boolean(m && (m.motion_photo || m.live_photo_cid));

/** The one mapper from an asset view to AssetResponse; every required field is always present. */
export function toAssetResponse({ asset, metadata, faces, people }: AssetView, include: Includes, urls: MediaUrlContext) {
  return {
    id: asset.id,
    created_at: asset.created_at,
    updated_at: asset.updated_at,
    current_version_id: asset.current_version_id,
    kind: asset.kind,
    local_datetime: formatLocalDateTime({ wall: asset.local_wall, offset: asset.local_offset }),
    mime_type: asset.mime_type,
    original_file_name: asset.original_file_name,
    width: asset.width,
    height: asset.height,
    duration: asset.duration,
    description: asset.description,
    thumbhash: asset.thumbhash,
    asset_urls: assetUrls(urls, asset, include.has('variants') ? { liveVideo: hasLiveVideo(metadata) } : undefined),
    stack_id: asset.stack_id,
    trashed_at: asset.trashed_at,
    file_data: include.has('file_data')
      ? {
          checksum: asset.checksum,
          checksum_sha1: asset.checksum_sha1,
          device_asset_id: asset.device_asset_id,
          device_id: asset.device_id,
          file_created_at: asset.file_created_at,
          file_modified_at: asset.file_modified_at,
          file_size_bytes: asset.file_size_bytes,
        }
      : null,
    metadata: include.has('metadata') && metadata ? toMetadataResponse(metadata) : null,
    metrics: include.has('metrics') ? metricsOf(asset.metrics) : null,
    faces: include.has('faces') ? (faces ?? []).map((face) => toFaceResponse({ face }, urls)) : null,
    // Embedded people carry no URLs (§2.2): the asset's own rungs are what a grid shows.
    people: include.has('people') ? (people ?? []).map((person) => toPersonResponse({ person }, null)) : null,
  };
}
