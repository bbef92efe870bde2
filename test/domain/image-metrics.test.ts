import { describe, expect, it } from 'vitest';
import { imageMetrics, isFlat } from '../../src/domain/image-metrics.js';

const W = 128;
const H = 96;

/** Deterministic standard normal numbers (Box–Muller over an LCG), so the test replays. */
function gaussian(seed: number) {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function image(pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out.set(pixel(x, y).map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * W + x) * 3);
  return out;
}

const grey = (v: number) => image(() => [v, v, v]);
const checker = (size: number) => image((x, y) => (((x / size) ^ (y / size)) & 1 ? [220, 220, 220] : [30, 30, 30]));

function boxBlur(src: Uint8Array): Uint8Array {
  return image((x, y) => {
    const acc = [0, 0, 0];
    let n = 0;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
      const xx = Math.min(W - 1, Math.max(0, x + dx)), yy = Math.min(H - 1, Math.max(0, y + dy));
      for (let c = 0; c < 3; c++) acc[c] += src[(yy * W + xx) * 3 + c];
      n++;
    }
    return acc.map((v) => v / n) as [number, number, number];
  });
}

describe('imageMetrics', () => {
  it('a flat mid-grey image: balanced, no contrast, no detail, no noise, no colour', () => {
    expect(imageMetrics(grey(128), W, H)).toEqual({ sharpness: 0, exposure: 0.502, contrast: 0, clipped_highlights: 0, clipped_shadows: 0, noise: 0, colorfulness: 0 });
  });

  it('black and white images are all shadows or all highlights', () => {
    expect(imageMetrics(grey(0), W, H)).toMatchObject({ exposure: 0, clipped_shadows: 1, clipped_highlights: 0 });
    expect(imageMetrics(grey(255), W, H)).toMatchObject({ exposure: 1, clipped_shadows: 0, clipped_highlights: 1 });
  });

  it('blurring lowers sharpness a lot', () => {
    const sharp = imageMetrics(checker(8), W, H).sharpness;
    const blurred = imageMetrics(boxBlur(checker(8)), W, H).sharpness;
    expect(sharp).toBeGreaterThan(1000);
    expect(blurred).toBeLessThan(sharp / 5);
  });

  it('estimates the standard deviation of added Gaussian noise within 20 %', () => {
    const normal = gaussian(7);
    for (const sigma of [3, 10]) {
      const noisy = image(() => {
        const v = 128 + sigma * normal();
        return [v, v, v];
      });
      const { noise } = imageMetrics(noisy, W, H);
      expect(noise).toBeGreaterThan(sigma * 0.8);
      expect(noise).toBeLessThan(sigma * 1.2);
    }
  });

  it('noise ignores clean edges', () => {
    expect(imageMetrics(checker(16), W, H).noise).toBeLessThan(1);
  });

  it('saturated colour is colourful, grey is not', () => {
    expect(imageMetrics(image(() => [230, 20, 20]), W, H).colorfulness).toBeGreaterThan(60);
    expect(imageMetrics(checker(8), W, H).colorfulness).toBe(0);
  });

  it('reads RGBA and rejects a buffer that is too short', () => {
    expect(imageMetrics(new Uint8Array(4 * 4 * 4).fill(255), 4, 4, 4).exposure).toBe(1);
    expect(() => imageMetrics(new Uint8Array(10), 4, 4)).toThrow(RangeError);
  });
});

describe('isFlat', () => {
  it('a solid fill is flat, a photo-like image is not', () => {
    expect(isFlat(imageMetrics(grey(200), W, H))).toBe(true);
    expect(isFlat(imageMetrics(checker(8), W, H))).toBe(false);
  });
});
