import { parseIsoDateTime } from '../domain/capture-time.js';
import { parseBBox } from '../domain/geo-filters.js';
import { type BucketSize, foldDays } from '../domain/time-buckets.js';
import { unprocessable } from '../http/errors.js';
import * as assetStore from '../store/assets.js';
import type { Deps, Principal } from './deps.js';
import { type AssetFilterInput, resolveFilters } from './assets.js';

/**
 * The filters counts and geo-clusters declare. The validated query object still carries any
 * other parameter the client sent (`ids`, `center`, …) unchecked; like every undeclared query
 * parameter, those are ignored.
 */
function declaredFilters({ library_id, state, local_datetime_after, local_datetime_before, media_type, ratings, person_ids, album_id, album_filter }: AssetFilterInput): AssetFilterInput {
  return { library_id, state, local_datetime_after, local_datetime_before, media_type, ratings, person_ids, album_id, album_filter };
}

export interface CountsInput extends AssetFilterInput {
  group_by: BucketSize;
  order?: 'asc' | 'desc';
  limit: number;
  starting_after_bucket?: string;
}

/**
 * §1.8 counts: naive local-calendar buckets. Bounds must be naive (an offset → 422). Both cursor
 * forms work: `local_datetime_before = last time_bucket` (0.159) and `starting_after_bucket`.
 */
export async function counts(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, input: CountsInput) {
  for (const field of ['local_datetime_after', 'local_datetime_before', 'starting_after_bucket'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const t = parseIsoDateTime(value);
    if (!t) throw unprocessable(['query', field], 'Input should be a valid datetime or date', 'datetime_from_date_parsing', value);
    if (t.offset !== null) throw unprocessable(['query', field], 'Counts work in local wall-clock time: send a naive datetime (no Z or offset)', 'value_error', value);
  }
  const filters = await resolveFilters(deps, who, declaredFilters(input));
  const order = input.order ?? 'desc';
  let buckets = foldDays(await assetStore.countByDay(deps.db, deps.dialect, filters), input.group_by, order);
  if (input.starting_after_bucket !== undefined) {
    const cursor = parseIsoDateTime(input.starting_after_bucket)!.wall.slice(0, 19);
    buckets = buckets.filter((b) => (order === 'desc' ? b.time_bucket < cursor : b.time_bucket > cursor));
  }
  return { data: buckets.slice(0, input.limit), has_more: buckets.length > input.limit };
}

export interface GeoClustersInput extends Omit<AssetFilterInput, 'center' | 'radius' | 'ids'> {
  bbox: string;
  cell_size: number;
}

const MAX_CELLS = 1000;

/** §1.8 geo-clusters: a square grid of `cell_size` degrees over geotagged assets in the box. */
export async function geoClusters(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, input: GeoClustersInput) {
  const bbox = parseBBox(input.bbox);
  if (typeof bbox === 'string') throw unprocessable(['query', 'bbox'], bbox);
  const filters = { ...(await resolveFilters(deps, who, declaredFilters(input))), bbox };
  const cells = await assetStore.geoCells(deps.db, deps.dialect, filters, input.cell_size);
  if (cells.length > MAX_CELLS) {
    throw unprocessable(['query', 'cell_size'], `More than ${MAX_CELLS} cells: use a larger cell_size or a smaller bbox`, 'value_error', input.cell_size);
  }
  return {
    data: cells.map((c) => ({ count: c.count, latitude: c.latitude, longitude: c.longitude, representative_asset_id: c.representative })),
  };
}
