import { Type } from '@sinclair/typebox';
import { DateTime, Nullable, StringEnum } from './common.js';

const AssetUrls = Nullable(Type.Record(Type.String(), Type.Ref('AssetVariant')));

const boxFields = {
  x: Type.Integer({ minimum: 0, description: 'Left edge, display-space pixels of the asset' }),
  y: Type.Integer({ minimum: 0, description: 'Top edge' }),
  w: Type.Integer({ minimum: 1 }),
  h: Type.Integer({ minimum: 1 }),
};
export const BoundingBox = Type.Object(boxFields, { $id: 'BoundingBox', title: 'BoundingBox' });
/** The same shape inline, for request bodies (their validator sees no shared schemas). */
export const BoundingBoxInput = Type.Object(boxFields);

export const ClusterAssignmentResponse = Type.Object(
  {
    distance_to_person: Nullable(Type.Number({ description: "Cosine distance to the assigned person's centroid" })),
    candidates: Nullable(Type.Array(Type.Object({ person_id: Type.String(), name: Nullable(Type.String()), distance: Type.Number() }))),
  },
  { $id: 'ClusterAssignmentResponse', title: 'ClusterAssignmentResponse' },
);

export const FaceResponse = Type.Object(
  {
    id: Type.String(),
    asset_id: Type.String(),
    bounding_box: Type.Ref('BoundingBox'),
    source: StringEnum(['automatic', 'manual'] as const),
    created_at: DateTime(),
    updated_at: DateTime(),
    person_id: Nullable(Type.String()),
    confidence: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    timestamp_ms: Nullable(Type.Integer()),
    asset_urls: AssetUrls,
    cluster_assignment: Nullable(Type.Ref('ClusterAssignmentResponse')),
  },
  { $id: 'FaceResponse', title: 'FaceResponse' },
);

export const ClusterMetricsResponse = Type.Object(
  { face_count: Type.Integer(), pairwise_mean: Type.Number(), pairwise_p90: Type.Number() },
  { $id: 'ClusterMetricsResponse', title: 'ClusterMetricsResponse' },
);

export const PersonResponse = Type.Object(
  {
    id: Type.String(),
    is_favorite: Type.Boolean(),
    is_hidden: Type.Boolean(),
    created_at: DateTime(),
    updated_at: DateTime(),
    name: Nullable(Type.String()),
    birth_date: Nullable(Type.String({ format: 'date' })),
    asset_count: Nullable(Type.Integer()),
    thumbnail_face_id: Nullable(Type.String()),
    asset_urls: AssetUrls,
    cluster_metrics: Nullable(Type.Ref('ClusterMetricsResponse')),
  },
  { $id: 'PersonResponse', title: 'PersonResponse' },
);

export const faceSchemas = [BoundingBox, ClusterAssignmentResponse, FaceResponse, ClusterMetricsResponse, PersonResponse];
