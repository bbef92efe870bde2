import type { FaceView } from '../services/faces.js';
import type { PersonView } from '../services/people.js';
import type { FaceRow } from '../store/faces.js';
import type { PersonRow } from '../store/people.js';
import { faceUrls, type MediaUrlContext, personUrls } from './media-urls.js';

/** The one mapper to FaceResponse (§2.13). */
export function toFaceResponse({ face, cluster_assignment }: FaceView | { face: FaceRow; cluster_assignment?: undefined }, urls: MediaUrlContext) {
  return {
    id: face.id,
    asset_id: face.asset_id,
    bounding_box: { x: face.x, y: face.y, w: face.w, h: face.h },
    source: face.source,
    created_at: face.created_at,
    updated_at: face.updated_at,
    person_id: face.person_id,
    confidence: face.confidence,
    timestamp_ms: face.timestamp_ms,
    asset_urls: faceUrls(urls, face),
    cluster_assignment: cluster_assignment ?? null,
  };
}

/** The one mapper to PersonResponse (§2.14); embedded in assets, `asset_urls` may be left out (null). */
export function toPersonResponse({ person, cluster_metrics }: PersonView | { person: PersonRow; cluster_metrics?: undefined }, urls: MediaUrlContext | null) {
  return {
    id: person.id,
    is_favorite: person.is_favorite === 1,
    is_hidden: person.is_hidden === 1,
    created_at: person.created_at,
    updated_at: person.updated_at,
    name: person.name,
    birth_date: person.birth_date,
    asset_count: person.asset_count,
    thumbnail_face_id: person.thumbnail_face_id,
    asset_urls: urls ? personUrls(urls, person) : null,
    cluster_metrics: cluster_metrics ?? null,
  };
}
