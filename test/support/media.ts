import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared corpus (`../shared/media` beside the clone) and its ground truth, named once here. */
export const MEDIA_DIR = fileURLToPath(new URL('../../../shared/media/', import.meta.url));

export interface ManifestEntry {
  path: string;
  size_bytes: number;
  sha256_base64: string;
  sha1_base64: string;
  mime_type: string | null;
  width: number | null;
  height: number | null;
  display_width: number | null;
  display_height: number | null;
  orientation: number | null;
  datetime_original: { iso: string; offset: string | null } | null;
  gps: { lat: number; lon: number; alt_m: number | null } | null;
  video: { duration_s: number; fps: number } | null;
  labels: {
    kind?: string;
    expect_decode_error?: boolean;
    place?: { country: string; region?: string };
    exact_duplicate_of?: string;
    faces?: { count: number; people: string[] };
    [key: string]: unknown;
  };
}

export const manifest: { files: ManifestEntry[] } = JSON.parse(fs.readFileSync(new URL('MANIFEST.json', `file://${MEDIA_DIR}`), 'utf8'));

export const mediaPath = (relative: string) => `${MEDIA_DIR}${relative}`;

export function entry(relative: string): ManifestEntry {
  const found = manifest.files.find((f) => f.path === relative);
  if (!found) throw new Error(`no manifest entry for ${relative}`);
  return found;
}

export const goodFiles = () => manifest.files.filter((f) => !f.path.startsWith('bad/'));
export const badFiles = () => manifest.files.filter((f) => f.path.startsWith('bad/'));
