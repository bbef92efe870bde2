/**
 * Cheap image-quality scores (`include=metrics`), computed from the preview rendition scaled to
 * at most 640 px on its long edge, so values are comparable between photos of any size.
 * Luma is Rec. 709 on the sRGB values (0–255).
 *
 * | key                 | range      | meaning |
 * |---------------------|------------|---------|
 * | `sharpness`         | 0 …        | variance of the 4-neighbour Laplacian of luma; below ~100 usually looks blurred, sharp photos reach 500–5000 |
 * | `exposure`          | 0 – 1      | mean luma / 255 (0.4–0.6 is balanced) |
 * | `contrast`          | 0 – 1      | RMS contrast: standard deviation of luma / 127.5 |
 * | `clipped_highlights`| 0 – 1      | share of pixels with luma ≥ 250 (blown out) |
 * | `clipped_shadows`   | 0 – 1      | share of pixels with luma ≤ 5 (crushed) |
 * | `noise`             | 0 …        | estimated standard deviation of Gaussian noise in luma levels (Immerkær 1996, on the 80 % least-edgy pixels); above ~5 is visibly noisy |
 * | `colorfulness`      | 0 …        | Hasler & Süsstrunk (2003); ~0 greyscale, ~30 moderate, above 100 extremely colourful |
 */
export type ImageMetrics = Record<'sharpness' | 'exposure' | 'contrast' | 'clipped_highlights' | 'clipped_shadows' | 'noise' | 'colorfulness', number>;

export const METRICS_LONG_EDGE = 640;

/**
 * A picture with (almost) one flat tone — a lens cap, a blank page, a solid fill — holds no
 * object and no text: the detectors are not run on it.
 */
export const isFlat = (m: Pick<ImageMetrics, 'contrast'>) => m.contrast < 0.02;

const round = (v: number) => Math.round(v * 10_000) / 10_000;

/** `rgb` is interleaved 8-bit, `channels` 3 or 4 (alpha ignored). */
export function imageMetrics(rgb: Uint8Array, width: number, height: number, channels: 3 | 4 = 3): ImageMetrics {
  const n = width * height;
  if (n === 0 || rgb.length < n * channels) throw new RangeError(`expected ${width}x${height}x${channels} bytes, got ${rgb.length}`);
  const luma = new Float32Array(n);
  let sum = 0;
  let sumSq = 0;
  let highlights = 0;
  let shadows = 0;
  let rgSum = 0, rgSq = 0, ybSum = 0, ybSq = 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const r = rgb[p], g = rgb[p + 1], b = rgb[p + 2];
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    luma[i] = y;
    sum += y;
    sumSq += y * y;
    if (y >= 250) highlights++;
    if (y <= 5) shadows++;
    const rg = r - g;
    const yb = 0.5 * (r + g) - b;
    rgSum += rg;
    rgSq += rg * rg;
    ybSum += yb;
    ybSq += yb * yb;
  }
  const mean = sum / n;
  const variance = Math.max(0, sumSq / n - mean * mean);
  const rgMean = rgSum / n, ybMean = ybSum / n;
  const rgVar = Math.max(0, rgSq / n - rgMean * rgMean), ybVar = Math.max(0, ybSq / n - ybMean * ybMean);
  const colorfulness = Math.sqrt(rgVar + ybVar) + 0.3 * Math.sqrt(rgMean * rgMean + ybMean * ybMean);
  return {
    sharpness: round(laplacianVariance(luma, width, height)),
    exposure: round(mean / 255),
    contrast: round(Math.sqrt(variance) / 127.5),
    clipped_highlights: round(highlights / n),
    clipped_shadows: round(shadows / n),
    noise: round(noiseSigma(luma, width, height)),
    colorfulness: round(colorfulness),
  };
}

function laplacianVariance(y: Float32Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      const lap = y[i - w] + y[i + w] + y[i - 1] + y[i + 1] - 4 * y[i];
      sum += lap;
      sumSq += lap * lap;
      count++;
    }
  }
  const mean = sum / count;
  return Math.max(0, sumSq / count - mean * mean);
}

/**
 * Immerkær's fast noise variance estimation: the mask [1 −2 1; −2 4 −2; 1 −2 1] cancels any
 * locally planar signal, so what remains is noise. Edges also survive it, so only pixels whose
 * Sobel gradient is in the lowest 80 % are used.
 */
function noiseSigma(y: Float32Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  const inner = (w - 2) * (h - 2);
  const gradient = new Float32Array(inner);
  const response = new Float32Array(inner);
  let k = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++, k++) {
      const i = r * w + c;
      const a = y[i - w - 1], b = y[i - w], d = y[i - w + 1];
      const e = y[i - 1], f = y[i], g = y[i + 1];
      const p = y[i + w - 1], q = y[i + w], s = y[i + w + 1];
      const gx = d + 2 * g + s - (a + 2 * e + p);
      const gy = p + 2 * q + s - (a + 2 * b + d);
      gradient[k] = Math.abs(gx) + Math.abs(gy);
      response[k] = Math.abs(a - 2 * b + d - 2 * e + 4 * f - 2 * g + p - 2 * q + s);
    }
  }
  const cutoff = quantile(gradient, 0.8);
  let sum = 0;
  let used = 0;
  for (let j = 0; j < inner; j++) {
    if (gradient[j] <= cutoff) {
      sum += response[j];
      used++;
    }
  }
  return used === 0 ? 0 : (Math.sqrt(Math.PI / 2) * sum) / (6 * used);
}

/** The q-quantile of non-negative values, by a 1/8-level histogram (exact enough for a cut-off). */
function quantile(values: Float32Array, q: number): number {
  const BINS = 8 * 2048;
  const hist = new Uint32Array(BINS);
  for (const v of values) hist[Math.min(BINS - 1, Math.floor(v * 8))]++;
  const target = q * values.length;
  let seen = 0;
  for (let b = 0; b < BINS; b++) {
    seen += hist[b];
    if (seen >= target) return (b + 1) / 8;
  }
  return Infinity;
}
