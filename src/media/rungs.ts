/**
 * The renditions ("rungs") Gumnut serves for a photo. `longEdge` is the longest edge in pixels;
 * `null` means full resolution. Renditions never upscale, so a small original yields a rung
 * smaller than its nominal size.
 */
export type RenditionFormat = 'webp' | 'jpeg';

export type RungName = 'thumbnail' | 'small' | 'preview' | 'fullsize';

export interface Rung {
  readonly name: RungName;
  readonly longEdge: number | null;
  readonly format: RenditionFormat;
  readonly quality: number;
}

export const RUNGS: { readonly [K in RungName]: Rung & { readonly name: K } } = {
  thumbnail: { name: 'thumbnail', longEdge: 360, format: 'webp', quality: 80 },
  small: { name: 'small', longEdge: 720, format: 'webp', quality: 80 },
  preview: { name: 'preview', longEdge: 1440, format: 'jpeg', quality: 80 },
  fullsize: { name: 'fullsize', longEdge: null, format: 'jpeg', quality: 90 },
};

export const RUNG_NAMES: readonly RungName[] = ['thumbnail', 'small', 'preview', 'fullsize'];

export function isRungName(value: unknown): value is RungName {
  return typeof value === 'string' && (RUNG_NAMES as readonly string[]).includes(value);
}
