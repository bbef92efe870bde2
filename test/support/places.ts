import { type ManifestEntry, mediaEntries } from './media.js';

export type PlacedEntry = ManifestEntry & { gps: { lat: number; lon: number }; labels: { place: { country: string } } };

/** Corpus files with GPS and a curated country label. */
export const placedFiles = (): PlacedEntry[] =>
  mediaEntries((f) => f.gps != null && typeof f.labels?.place?.country === 'string') as PlacedEntry[];

// The manifest labels countries by English name; the ISO codes are written out here, not derived
// the way the geocoder derives them.
export const CODE_BY_LABEL: Record<string, string> = {
  Austria: 'AT',
  Czechia: 'CZ',
  Finland: 'FI',
  Italy: 'IT',
  Kenya: 'KE',
  Spain: 'ES',
  Ukraine: 'UA',
  'United Kingdom': 'GB',
  'United States': 'US',
};

// The zone of each labelled place (the manifest's region says where it is).
export const ZONE_BY_PATH: Record<string, string> = {
  'avif/ukraine_kyiv_iphone_xs.avif': 'Europe/Kyiv',
  'duplicates/DSCN0010_reencoded_q60.jpg': 'Europe/Rome',
  'duplicates/DSCN0010_resized_50pct.jpg': 'Europe/Rome',
  // tz-lookup alone says Europe/Berlin here, 2 km inside Austria.
  'gps/austria_kleinwalsertal_hasselblad.jpg': 'Europe/Vienna',
  'gps/finland_oulu_bird.jpg': 'Europe/Helsinki',
  'gps/italy_tuscany_DSCN0010.jpg': 'Europe/Rome',
  'gps/kenya_nakuru_kodak.jpg': 'Africa/Nairobi',
  'gps/spain_madrid_iphone6.jpg': 'Europe/Madrid',
  'gps/usa_colorado_thompson-springs.jpg': 'America/Denver',
  'heic/iphone_IMG_2682.heic': 'America/Chicago',
  'heic/uk_stonehenge.heic': 'Europe/London',
  'heic/usa_georgia_iphone16_orientation6.heic': 'America/New_York',
  'heic/usa_washington_dc_iphone_se.heic': 'America/New_York',
  'livephoto/IMG_7943.HEIC': 'Europe/Prague',
  'livephoto/IMG_7943_HEVC.MOV': 'Europe/Prague',
  'raw/iphone12pro_IMG_1361.dng': 'America/New_York',
  'video/usa_los_angeles_rotated_gps.mov': 'America/Los_Angeles',
  'web/uk_stonehenge_exif.webp': 'Europe/London',
};

