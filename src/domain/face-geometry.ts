/**
 * Pure geometry for face detection: scan windows over an image, boxes between coordinate
 * spaces, overlap and non-maximum suppression. No I/O, no tensors.
 */

/** A box in pixels of some image: top-left corner, width, height. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A square region of the image (may reach past its edges, which then count as padding). */
export interface Window {
  x: number;
  y: number;
  side: number;
}

export interface ScanPlan {
  /** Side of the tiles relative to the longest side (tiles overlap by half). */
  tileFraction: number;
  /** Tiles only when they stay at least this many pixels (below that the detector sees no more than in the whole view). */
  minTileSide: number;
  /**
   * No tiles when the whole view already gave a verified face this large (share of the longest
   * side), i.e. the photo has a subject. Tiles cost a detector pass each and only add faces too
   * small for the whole view (under ~50 px at 1440 px), which beside a subject are mostly
   * bystanders: a deliberate trade-off, measured in docs/face-calibration.md.
   */
  tilesBelow: number;
}

/** The whole image as a square window (the shorter side padded on both edges). */
export function wholeView(width: number, height: number): Window {
  const side = Math.max(width, height);
  return { x: (width - side) / 2, y: (height - side) / 2, side };
}

/**
 * Overlapping square tiles over the image (none when they would be smaller than
 * `minTileSide`), so small faces reach the detector's 256-px input at a size it finds.
 */
export function tiles(width: number, height: number, plan: ScanPlan): Window[] {
  const tile = Math.round(Math.max(width, height) * plan.tileFraction);
  if (tile < plan.minTileSide || plan.tileFraction >= 1) return [];
  const step = tile / 2;
  const starts = (extent: number) => {
    if (extent <= tile) return [(extent - tile) / 2];
    const n = Math.ceil((extent - tile) / step);
    return Array.from({ length: n + 1 }, (_, i) => Math.round((i * (extent - tile)) / n));
  };
  return starts(height).flatMap((y) => starts(width).map((x) => ({ x, y, side: tile })));
}

export const area = (b: Box) => Math.max(0, b.w) * Math.max(0, b.h);

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const i = intersection(a, b);
  return i === 0 ? 0 : i / (area(a) + area(b) - i);
}

/** Share of the smaller box covered by the other: catches a face box nested in a larger duplicate. */
export function overlapOfSmaller(a: Box, b: Box): number {
  const i = intersection(a, b);
  return i === 0 ? 0 : i / Math.min(area(a), area(b));
}

/** Greedy NMS: keeps the best-scored box of every group overlapping more than `threshold`. */
export function suppress<T extends { box: Box; score: number }>(items: T[], threshold: number): T[] {
  const kept: T[] = [];
  for (const item of [...items].sort((a, b) => b.score - a.score)) {
    if (kept.every((k) => overlapOfSmaller(k.box, item.box) <= threshold)) kept.push(item);
  }
  return kept;
}

export const center = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/** A square window centred on `box`, `factor` times its larger side. */
export function windowAround(box: Box, factor: number): Window {
  const c = center(box);
  const side = Math.max(box.w, box.h) * factor;
  return { x: c.x - side / 2, y: c.y - side / 2, side };
}

/** A box in a window's `size`-pixel input back into image pixels. */
export function fromWindow(box: Box, window: Window, size: number): Box {
  const s = window.side / size;
  return { x: window.x + box.x * s, y: window.y + box.y * s, w: box.w * s, h: box.h * s };
}

/** Clamps to the image and rounds to whole pixels; undefined when nothing is left. */
export function clampToImage(box: Box, width: number, height: number): Box | undefined {
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(width, Math.round(box.x + box.w));
  const y1 = Math.min(height, Math.round(box.y + box.h));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : undefined;
}

/**
 * Scales a box from the picture the detector saw (e.g. the 1440-px preview) to the asset's
 * display-space pixels (spec §2.13), clamped so x + w ≤ width and y + h ≤ height.
 */
export function toDisplaySpace(box: Box, from: { width: number; height: number }, to: { width: number; height: number }): Box | undefined {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return clampToImage({ x: box.x * sx, y: box.y * sy, w: box.w * sx, h: box.h * sy }, to.width, to.height);
}

/** The square crop shown as a face's thumbnail: the face with some context, kept inside the image. */
export function thumbnailCrop(box: Box, width: number, height: number, context = 1.6): Box {
  const side = Math.min(width, height, Math.round(Math.max(box.w, box.h) * context));
  const c = center(box);
  const x = Math.min(Math.max(0, Math.round(c.x - side / 2)), width - side);
  const y = Math.min(Math.max(0, Math.round(c.y - side / 2)), height - side);
  return { x, y, w: side, h: side };
}
