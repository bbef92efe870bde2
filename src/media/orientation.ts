/**
 * EXIF Orientation (1–8) as sharp operations, for pixels whose orientation lives somewhere
 * other than their own EXIF (a RAW file's preview JPEG carries none; the RAW's IFD0 has it).
 * Whatever order the calls come in, sharp 0.35 mirrors first (`flip`, the vertical mirror,
 * then `flop`, the horizontal one) and rotates clockwise after (`src/pipeline.cc`, both the
 * `rotateBefore` branch and the post-resize one), so each entry is "mirror, then rotate".
 */
import type { Sharp } from 'sharp';

export interface OrientationOps {
  readonly rotate: 0 | 90 | 180 | 270;
  readonly flip: boolean;
  readonly flop: boolean;
}

const OPS: Record<number, OrientationOps> = {
  1: { rotate: 0, flip: false, flop: false },
  2: { rotate: 0, flip: false, flop: true },
  3: { rotate: 180, flip: false, flop: false },
  4: { rotate: 0, flip: true, flop: false },
  5: { rotate: 90, flip: true, flop: false }, // transpose
  6: { rotate: 90, flip: false, flop: false },
  7: { rotate: 90, flip: false, flop: true }, // transverse
  8: { rotate: 270, flip: false, flop: false },
};

/** The operations that make an image stored with `orientation` upright; identity when unknown. */
export function orientationOps(orientation: number | null | undefined): OrientationOps {
  return OPS[orientation ?? 1] ?? OPS[1]!;
}

/** True when the orientation swaps width and height (5–8). */
export function swapsDimensions(orientation: number | null | undefined): boolean {
  const { rotate } = orientationOps(orientation);
  return rotate === 90 || rotate === 270;
}

export function applyOrientation(pipeline: Sharp, orientation: number | null | undefined): Sharp {
  const ops = orientationOps(orientation);
  if (ops.rotate !== 0) pipeline.rotate(ops.rotate);
  if (ops.flip) pipeline.flip();
  if (ops.flop) pipeline.flop();
  return pipeline;
}
