import { formatLocalDateTime, type LocalDateTime, parseIsoDateTime, resolveLocalDateTime, toUtcText } from './capture-time.js';

/** The user-editable fields of `PATCH /api/assets/{id}`: omitted = unchanged, null = drop the override. */
export interface AssetPatch {
  description?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  original_datetime?: string | null;
  rating?: number | null;
}

export interface UserOverrides {
  user_description: string | null;
  user_latitude: number | null;
  user_longitude: number | null;
  user_original_datetime: string | null;
  user_rating: number | null;
}

export interface FileValues {
  file_description: string | null;
  file_latitude: number | null;
  file_longitude: number | null;
  file_original_datetime: string | null;
  file_rating: number | null;
}

/** Latitude and longitude travel together: both set, both cleared, or both omitted. */
export function gpsPairProblem(patch: AssetPatch): 'latitude' | 'longitude' | undefined {
  const hasLat = patch.latitude !== undefined;
  const hasLon = patch.longitude !== undefined;
  if (hasLat !== hasLon) return hasLat ? 'longitude' : 'latitude';
  if (hasLat && (patch.latitude === null) !== (patch.longitude === null)) return patch.latitude === null ? 'latitude' : 'longitude';
  return undefined;
}

/** Any accepted ISO spelling (space separator, bare date, `+0200`) is stored and served in one form. */
function canonicalDateTime(text: string): string {
  const parsed = parseIsoDateTime(text);
  return parsed ? formatLocalDateTime(parsed) : text;
}

export function applyPatch(current: UserOverrides, patch: AssetPatch): UserOverrides {
  const pick = <T>(value: T | undefined, old: T): T => (value === undefined ? old : value);
  const datetime = typeof patch.original_datetime === 'string' ? canonicalDateTime(patch.original_datetime) : patch.original_datetime;
  return {
    user_description: pick(patch.description, current.user_description),
    user_latitude: pick(patch.latitude, current.user_latitude),
    user_longitude: pick(patch.longitude, current.user_longitude),
    user_original_datetime: pick(datetime, current.user_original_datetime),
    user_rating: pick(patch.rating, current.user_rating),
  };
}

export interface EffectiveValues {
  description: string | null;
  latitude: number | null;
  longitude: number | null;
  rating: number | null;
  original_datetime: string | null;
}

/** A user override wins; otherwise the file's value shows. GPS overrides as a pair. */
export function effectiveValues(user: UserOverrides, file: FileValues): EffectiveValues {
  const userGps = user.user_latitude !== null && user.user_longitude !== null;
  return {
    description: user.user_description ?? file.file_description,
    latitude: userGps ? user.user_latitude : file.file_latitude,
    longitude: userGps ? user.user_longitude : file.file_longitude,
    rating: user.user_rating ?? file.file_rating,
    original_datetime: user.user_original_datetime ?? file.file_original_datetime,
  };
}

/** The asset columns derived from capture time (§3.8 chain). */
export function captureColumns(
  user: Pick<UserOverrides, 'user_original_datetime'>,
  file: Pick<FileValues, 'file_original_datetime'> & { timezone?: string | null },
  upload: { file_created_at: string; created_at: string },
): { local_wall: string; local_offset: number | null; local_utc: string | null } {
  const t: LocalDateTime = resolveLocalDateTime({
    userOriginal: user.user_original_datetime,
    fileOriginal: file.file_original_datetime,
    fileCreatedAt: upload.file_created_at,
    createdAt: upload.created_at,
    timezone: file.timezone,
  });
  return { local_wall: t.wall, local_offset: t.offset, local_utc: toUtcText(t) ?? null };
}
