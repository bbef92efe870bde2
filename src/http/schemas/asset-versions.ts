import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum } from './common.js';

export const AssetVersionResponse = Type.Object(
  {
    id: Type.String({ description: "Version id ('asset_version_' prefix)" }),
    position: Type.Integer({ description: '0 = the uploaded original; the highest is current' }),
    kind: Type.String({ description: 'original, edit or external:<service>' }),
    mime_type: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
    file_size_bytes: Type.Integer({ description: 'Stored bytes of this version' }),
    checksum: Nullable(Type.String({ description: 'Base64 SHA-256 of the stored bytes' })),
    params: Nullable(Type.Object({}, { additionalProperties: true, description: "The producer's recipe; null only for the original" })),
    version_urls: Nullable(Type.Record(Type.String(), Type.Ref('AssetVariant'))),
  },
  { $id: 'AssetVersionResponse', title: 'AssetVersionResponse' },
);

export const versionSchemas = [AssetVersionResponse];

export const VersionIncludeQuery = Type.Array(StringEnum(['variants'] as const), { description: 'variants: every rung plus original' });
