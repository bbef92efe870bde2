import { Type } from '@sinclair/typebox';
import { DateTime, Nullable, StringEnum } from './common.js';

export const AssetVariant = Type.Object(
  { url: Type.String(), mimetype: Type.String(), width: Nullable(Type.Integer()) },
  { $id: 'AssetVariant', title: 'AssetVariant' },
);

const AssetUrls = Nullable(Type.Record(Type.String(), Type.Ref('AssetVariant')));

export const FileDataResponse = Type.Object(
  {
    checksum: Type.String({ description: 'Base64 SHA-256 of the uploaded bytes' }),
    checksum_sha1: Nullable(Type.String({ description: 'Base64 SHA-1 of the uploaded bytes' })),
    device_asset_id: Type.String(),
    device_id: Type.String(),
    file_created_at: DateTime(),
    file_modified_at: DateTime(),
    file_size_bytes: Type.Integer(),
  },
  { $id: 'FileDataResponse', title: 'FileDataResponse' },
);

const s = () => Nullable(Type.String());
const n = () => Nullable(Type.Number());
const i = () => Nullable(Type.Integer());

export const MetadataResponse = Type.Object(
  {
    asset_id: Type.String(),
    created_at: DateTime(),
    updated_at: DateTime(),
    make: s(),
    model: s(),
    lens_model: s(),
    f_number: n(),
    focal_length: n(),
    exposure_time: n(),
    exposure_bias: n(),
    iso: i(),
    orientation: i(),
    raw_width: i(),
    raw_height: i(),
    original_datetime: s(),
    digitized_datetime: s(),
    modified_datetime: s(),
    latitude: n(),
    longitude: n(),
    altitude: n(),
    city: s(),
    state: s(),
    country: s(),
    country_code: s(),
    sublocation: s(),
    place_name: s(),
    timezone: s(),
    display_label: s(),
    description: s(),
    fps: n(),
    live_photo_cid: s(),
    projection_type: s(),
    auto_stack_id: s(),
    rating: i(),
  },
  { $id: 'MetadataResponse', title: 'MetadataResponse' },
);

export const AssetResponse = Type.Object(
  {
    id: Type.String({ description: "Unique asset identifier with 'asset_' prefix" }),
    created_at: DateTime(),
    updated_at: DateTime(),
    current_version_id: Type.String(),
    kind: Type.String(),
    local_datetime: Type.String({ description: 'Capture time as a wall clock; with its offset when known, naive otherwise' }),
    mime_type: Type.String(),
    original_file_name: Type.String(),
    width: i(),
    height: i(),
    duration: n(),
    description: Nullable(Type.String({ description: 'AI description; null = not generated yet, "" = the model refused' })),
    thumbhash: s(),
    asset_urls: AssetUrls,
    stack_id: s(),
    trashed_at: Nullable(DateTime()),
    file_data: Nullable(Type.Ref('FileDataResponse')),
    metadata: Nullable(Type.Ref('MetadataResponse')),
    metrics: Nullable(Type.Record(Type.String(), Nullable(Type.Number()))),
    faces: Nullable(Type.Array(Type.Ref('FaceResponse'))),
    people: Nullable(Type.Array(Type.Ref('PersonResponse'))),
  },
  { $id: 'AssetResponse', title: 'AssetResponse' },
);

export const AssetLiteResponse = Type.Object(
  {
    id: Type.String(),
    checksum: Type.String(),
    checksum_sha1: Nullable(Type.String()),
    device_asset_id: Type.String(),
    device_id: Type.String(),
  },
  { $id: 'AssetLiteResponse', title: 'AssetLiteResponse' },
);

export const assetSchemas = [AssetVariant, FileDataResponse, MetadataResponse, AssetResponse, AssetLiteResponse];

export const ASSET_INCLUDES = ['metadata', 'faces', 'people', 'metrics', 'file_data', 'variants'] as const;
export type AssetInclude = (typeof ASSET_INCLUDES)[number];
export const IncludeQuery = Type.Array(StringEnum(ASSET_INCLUDES), {
  description: 'Opt-in expansions: metadata, faces, people, metrics, file_data, variants',
});

const Latitude = Type.Number({ minimum: -90, maximum: 90 });
const Longitude = Type.Number({ minimum: -180, maximum: 180 });

/** PATCH body: omitted = unchanged, null = drop the user override (seed page). */
export const UpdateAssetRequest = Type.Object(
  {
    description: Type.Optional(Nullable(Type.String())),
    latitude: Type.Optional(Nullable(Latitude)),
    longitude: Type.Optional(Nullable(Longitude)),
    original_datetime: Type.Optional(Nullable(DateTime())),
    rating: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 5 }))),
  },
  { title: 'UpdateAssetRequest', additionalProperties: true },
);
