import { Type } from '@sinclair/typebox';
import { DateTime, Nullable } from './common.js';

export const AlbumResponse = Type.Object(
  {
    id: Type.String({ description: "Album ID with the 'album_' prefix" }),
    name: Type.String(),
    asset_count: Type.Integer({ description: 'Live (untrashed) assets in the album' }),
    created_at: DateTime(),
    updated_at: DateTime(),
    description: Nullable(Type.String()),
    album_cover_asset_id: Nullable(Type.String({ description: 'The chosen cover while it is a live member, else the newest live member, else null' })),
    asset_urls: Nullable(Type.Record(Type.String(), Type.Ref('AssetVariant'), { description: '`thumbnail` of the cover' })),
    start_date: Nullable(Type.String({ description: "Earliest live member's local_datetime (naive when its offset is unknown)" })),
    end_date: Nullable(Type.String({ description: "Latest live member's local_datetime (naive when its offset is unknown)" })),
  },
  { $id: 'AlbumResponse', title: 'AlbumResponse' },
);

export const AlbumAssetResponse = Type.Object(
  { id: Type.String(), album_id: Type.String(), asset_id: Type.String(), created_at: DateTime(), updated_at: DateTime() },
  { $id: 'AlbumAssetResponse', title: 'AlbumAssetResponse' },
);

export const AssetsAssociationAddResponse = Type.Object(
  { added_assets: Type.Array(Type.String()), duplicate_assets: Type.Array(Type.String()), not_found_assets: Type.Array(Type.String()) },
  { $id: 'AssetsAssociationAddResponse', title: 'AssetsAssociationAddResponse' },
);

export const albumSchemas = [AlbumResponse, AlbumAssetResponse, AssetsAssociationAddResponse];

export const CreateAlbumRequest = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ description: 'Optional; an album created without one is named "Untitled"' }))),
    description: Type.Optional(Nullable(Type.String())),
    library_id: Type.Optional(Nullable(Type.String())),
  },
  { title: 'AlbumCreate', additionalProperties: true },
);

/** PATCH body: omitted (or a null name) = unchanged; null description clears; null cover returns the choice to the server. */
export const UpdateAlbumRequest = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String())),
    description: Type.Optional(Nullable(Type.String())),
    album_cover_asset_id: Type.Optional(Nullable(Type.String({ description: 'A live asset already in the album; null clears the explicit cover' }))),
  },
  { title: 'AlbumUpdate', additionalProperties: true },
);

export const AlbumAssetIds = Type.Object({ asset_ids: Type.Array(Type.String(), { maxItems: 200 }) }, { title: 'AlbumAssetIds' });
