import { Type } from '@sinclair/typebox';
import { DateTime, LibraryIdQuery, Limit, Nullable } from './common.js';

export const SearchResult = Type.Object(
  {
    asset: Type.Ref('AssetResponse'),
    distance: Nullable(Type.Number({ description: 'Best dense-stage cosine distance (lower = closer); null for full-text-only or filter-only matches' })),
  },
  { $id: 'SearchResult', title: 'SearchResult' },
);

export const SearchResponse = Type.Object({ data: Type.Array(Type.Ref('SearchResult')) }, { $id: 'SearchResponse', title: 'SearchResponse' });

export const searchSchemas = [SearchResult, SearchResponse];

/** The criteria and filters of §1.14, shared by the GET query string and the POST form. */
export const SearchFields = {
  query: Type.Optional(Type.String({ maxLength: 2000, description: 'Free text: words of the file name, descriptions, camera, place, date, objects and text seen in the photo' })),
  album_id: Type.Optional(Type.String({ description: 'Only assets in this album' })),
  person_ids: Type.Optional(Type.Array(Type.String(), { maxItems: 200, description: 'Only assets showing all of these people' })),
  local_datetime_after: Type.Optional(DateTime({ description: 'Exclusive lower bound on capture time' })),
  local_datetime_before: Type.Optional(DateTime({ description: 'Exclusive upper bound on capture time' })),
  bbox: Type.Optional(Type.String({ description: 'min_lon,min_lat,max_lon,max_lat; wraps the antimeridian when min_lon > max_lon' })),
  center: Type.Optional(Type.String({ description: 'lon,lat' })),
  radius: Type.Optional(Type.Number({ description: 'Metres, 0 < radius ≤ 50000' })),
  library_id: Type.Optional(LibraryIdQuery),
  limit: Limit,
  page: Type.Integer({ minimum: 1, default: 1, description: 'Page number from 1; content searches rank at most 200 assets, so later pages are empty' }),
  // Removed from the API in 2026 (§1.1); accepted so that older clients keep working.
  captured_after: Type.Optional(DateTime({ description: 'Deprecated alias of local_datetime_after' })),
  captured_before: Type.Optional(DateTime({ description: 'Deprecated alias of local_datetime_before' })),
  threshold: Type.Optional(Type.Number({ description: 'Deprecated; ignored' })),
  include_debug: Type.Optional(Type.Boolean({ description: 'Deprecated; ignored' })),
};
