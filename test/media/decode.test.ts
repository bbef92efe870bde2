import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { thumbHashToRGBA } from 'thumbhash';
import { openImage } from '../../src/media/decode.js';
import { UndecodableMedia } from '../../src/media/errors.js';
import { closeExifTool, sharedExifTool } from '../../src/media/exiftool.js';
import { closeHeicPool, decodeHeicInWorker } from '../../src/media/heic-pool.js';
import { rawToSrgb } from '../../src/media/icc.js';
import { heifIccProfile } from '../../src/media/isobmff.js';
import { applyOrientation } from '../../src/media/orientation.js';
import { renderVariant, type Rendition } from '../../src/media/render.js';
import { RUNGS } from '../../src/media/rungs.js';
import { thumbHashBase64 } from '../../src/media/thumbhash.js';
import {
  expectedLongEdge,
  expectsDecodeError,
  fingerprint,
  fingerprintDistance,
  isBad,
  isImage,
  mediaEntries,
  mediaEntry,
  mediaFile,
  mimeOf,
  type ManifestEntry,
} from '../support/media.js';

afterAll(async () => {
  await closeHeicPool();
  await closeExifTool();
});

/**
 * Files the manifest calls decodable whose bytes hold no image any engine here can reach.
 * Each must fail cleanly, and the reason is checked against the file itself below.
 */
const NO_PIXEL_DATA = new Set(['raw/iphone12pro_IMG_1361.dng']);

const THUMB = RUNGS.thumbnail.longEdge!;

function expectDisplayAspect(e: ManifestEntry, width: number, height: number, cap: number): void {
  const long = expectedLongEdge(e, cap);
  const dw = e.display_width!;
  const dh = e.display_height!;
  const short = Math.round((long * Math.min(dw, dh)) / Math.max(dw, dh));
  expect(Math.max(width, height), 'longest edge').toBe(long);
  expect(Math.abs(Math.min(width, height) - short), `short edge ${Math.min(width, height)} vs ${short}`).toBeLessThanOrEqual(1);
  if (dw !== dh) expect(width > height, 'landscape/portrait as displayed').toBe(dw > dh);
}

/**
 * ThumbHash stores the aspect ratio as the number of luminance terms on the short side,
 * round(L × short/long) with L = 7 (5 with alpha), and the decoder draws ≤32 px: so the decoded
 * short/long ratio is within 0.5/L (+ pixel rounding) of the true one.
 */
function expectThumbHashAspect(hash: string, e: ManifestEntry): void {
  const bytes = Buffer.from(hash, 'base64');
  const hasAlpha = (bytes[2]! & 0x80) !== 0;
  const { w, h } = thumbHashToRGBA(bytes);
  const truth = Math.min(e.display_width!, e.display_height!) / Math.max(e.display_width!, e.display_height!);
  const decoded = Math.min(w, h) / Math.max(w, h);
  expect(Math.abs(decoded - truth), `thumbhash ${w}x${h}`).toBeLessThanOrEqual(0.5 / (hasAlpha ? 5 : 7) + 2 / 32);
  if (1 - truth > 0.5 / 7 + 2 / 32) expect(w > h).toBe(e.display_width! > e.display_height!);
}

describe('openImage + thumbnail, every image in the corpus', () => {
  const images = mediaEntries((e) => isImage(e) && !expectsDecodeError(e) && !NO_PIXEL_DATA.has(e.path));

  it.each(images.map((e) => [e.path, e] as const))('%s renders at its display aspect ratio', async (_path, e) => {
    const source = await openImage(mediaFile(e), mimeOf(e));
    expect([source.width, source.height]).toEqual(
      // A RAW shows its embedded preview, which may be smaller than the sensor: same shape only.
      source.decoder === 'raw-preview' ? [source.width, source.height] : [e.display_width, e.display_height],
    );
    const thumb = await renderVariant(source, { width: THUMB, format: 'webp', quality: 80 });
    expectDisplayAspect(e, thumb.width, thumb.height, THUMB);
    const meta = await sharp(thumb.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', thumb.width, thumb.height]);
    expectThumbHashAspect(await thumbHashBase64(thumb.data), e);
  });

  it.each(mediaEntries((e) => isImage(e) && expectsDecodeError(e)).map((e) => [e.path, e] as const))(
    '%s (labelled undecodable) fails cleanly or renders at its display aspect ratio',
    async (_path, e) => {
      const outcome: Rendition | Error = await openImage(mediaFile(e), mimeOf(e))
        .then((source) => renderVariant(source, { width: THUMB, format: 'webp' }))
        .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
      if (outcome instanceof Error) expect(outcome).toBeInstanceOf(UndecodableMedia);
      else expectDisplayAspect(e, outcome.width, outcome.height, THUMB);
    },
  );
});

describe('files with no reachable pixels', () => {
  it('raw/iphone12pro_IMG_1361.dng: its preview and raw tiles lie past the end of the file', async () => {
    const e = mediaEntry('raw/iphone12pro_IMG_1361.dng');
    const tags = (await sharedExifTool().read(mediaFile(e))) as Record<string, unknown>;
    expect(Number(tags.PreviewImageStart)).toBeGreaterThanOrEqual(e.size_bytes);
    await expect(openImage(mediaFile(e), mimeOf(e))).rejects.toBeInstanceOf(UndecodableMedia);
  });
});

describe('bad/: every file raises UndecodableMedia', () => {
  it.each(mediaEntries(isBad).map((e) => [e.path, e] as const))('%s', async (_path, e) => {
    // Both the type the bytes claim and the type the file name claims.
    for (const mime of new Set([mimeOf(e), e.path.endsWith('.jpg') ? 'image/jpeg' : mimeOf(e)])) {
      const err = await openImage(mediaFile(e), mime)
        .then((source) => renderVariant(source, { width: THUMB, format: 'webp' }))
        .then(
          () => null,
          (caught: unknown) => caught,
        );
      expect(err, `${mime}`).toBeInstanceOf(UndecodableMedia);
      expect((err as UndecodableMedia).path).toBe(mediaFile(e));
      // The caller's stack survives libvips, the HEIC worker and ExifTool.
      expect((err as Error).stack, `${mime}`).toContain('decode.test.ts');
    }
  });
});

describe('orientation', () => {
  const landscapes = mediaEntries((e) => e.path.startsWith('orientation/Landscape_'));

  it('has the nine EXIF orientation samples', () => {
    expect(landscapes.map((e) => e.orientation ?? 0).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('renders Landscape_0..8 as the same upright landscape', async () => {
    // Landscape_0 has no Orientation tag: its stored pixels are the upright picture.
    const reference = await fingerprint((await openImage(mediaFile('orientation/Landscape_0.jpg'), 'image/jpeg')).sharp());
    const mirrored = await fingerprint(sharp(mediaFile('orientation/Landscape_0.jpg')).flop());
    const wrong = fingerprintDistance(reference, mirrored);
    for (const e of landscapes) {
      const source = await openImage(mediaFile(e), mimeOf(e));
      const thumb = await renderVariant(source, { width: THUMB, format: 'jpeg', quality: 90 });
      expect(thumb.width, e.path).toBeGreaterThan(thumb.height);
      const distance = fingerprintDistance(reference, await fingerprint(thumb.data));
      expect(distance, e.path).toBeLessThan(wrong / 4);
    }
  });

  it('applyOrientation (used for RAW previews) matches each EXIF orientation', async () => {
    const reference = await fingerprint(sharp(mediaFile('orientation/Landscape_0.jpg')));
    for (const e of landscapes) {
      // Stored pixels, EXIF ignored, then our operations for the file's tag.
      const oriented = applyOrientation(sharp(mediaFile(e), { autoOrient: false }), e.orientation).resize(360, 360, {
        fit: 'inside',
      });
      const { data, info } = await oriented.jpeg().toBuffer({ resolveWithObject: true });
      expect(info.width, e.path).toBeGreaterThan(info.height);
      expect(fingerprintDistance(reference, await fingerprint(data)), e.path).toBeLessThan(12);
    }
  });
});

describe('routing follows the bytes, not the claimed type', () => {
  it('decodes a HEIC labelled image/jpeg with libheif and a JPEG labelled image/heic with libvips', async () => {
    const heic = mediaEntry('heic/uk_stonehenge.heic'); // tiny: cheap to decode a second time
    const fromHeic = await openImage(mediaFile(heic), 'image/jpeg');
    expect([fromHeic.decoder, fromHeic.width, fromHeic.height]).toEqual(['libheif', heic.display_width, heic.display_height]);
    const jpeg = mediaEntry('jpeg/camera/Canon_40D.jpg');
    const fromJpeg = await openImage(mediaFile(jpeg), 'image/heic');
    expect([fromJpeg.decoder, fromJpeg.width, fromJpeg.height]).toEqual(['libvips', jpeg.display_width, jpeg.display_height]);
  });

  it('sends AVIF (AV1 HEIF) to libvips whatever it is called', async () => {
    const avif = mediaEntry('avif/linku_kimono_rotate90.avif'); // irot 270, no EXIF
    const source = await openImage(mediaFile(avif), 'image/heif');
    expect([source.decoder, source.width, source.height]).toEqual(['libvips', avif.display_width, avif.display_height]);
  });
});

describe('colour profiles', () => {
  /** Mean of max − min over the channels: how colourful the pixels are. */
  const chroma = (data: Buffer, channels: number) => {
    let sum = 0;
    for (let i = 0; i < data.length; i += channels) sum += Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]);
    return sum / (data.length / channels);
  };

  it('converts a Display P3 HEIC to sRGB: the same scene, more colourful in sRGB values', async () => {
    const file = mediaFile('heic/iphone_IMG_2682.heic');
    const decoded = await decodeHeicInWorker(file, 0);
    expect(decoded.icc).not.toBeNull();
    const source = await openImage(file, 'image/heic');
    const converted = await source.sharp().raw().toBuffer();
    const naive = decoded.pixels;
    expect(converted.length).toBe(naive.length);
    // P3 values read as sRGB look washed out; converted they spread further apart.
    expect(chroma(converted, decoded.channels)).toBeGreaterThan(chroma(naive, decoded.channels) * 1.1);
  });

  it('rawToSrgb keeps neutral greys grey and leaves pixels alone when the profile is unusable', async () => {
    const icc = Buffer.from(heifIccProfile(await fs.promises.readFile(mediaFile('heic/iphone_IMG_2682.heic')))!);
    const shape = { width: 2, height: 1, channels: 3 } as const;
    const pixels = Buffer.from([128, 128, 128, 200, 90, 40]);
    const out = await rawToSrgb(pixels, shape, icc);
    for (const v of out.subarray(0, 3)) expect(Math.abs(v - 128)).toBeLessThanOrEqual(1);
    expect(out[3] - out[5]).toBeGreaterThan(200 - 40); // the orange grows more saturated in sRGB
    expect([...(await rawToSrgb(pixels, shape, Buffer.from('not a profile')))]).toEqual([...pixels]);
  });

  it('leaves a HEIC without a profile as libheif decoded it', async () => {
    const file = mediaFile('heic/uk_stonehenge.heic');
    const decoded = await decodeHeicInWorker(file, 0);
    expect(decoded.icc).toBeNull();
    expect((await (await openImage(file, 'image/heic')).sharp().raw().toBuffer()).equals(decoded.pixels)).toBe(true);
  });
});

describe('argument checks', () => {
  it('names the parameter, the expectation and the value', async () => {
    await expect(openImage('', 'image/jpeg')).rejects.toThrow(
      'Expected a non-empty file path without NUL characters for path of type string with value ""',
    );
    await expect(openImage(mediaFile('gps/spain_madrid_iphone6.jpg'), 'jpeg')).rejects.toThrow(
      'Expected a MIME type such as "image/jpeg" for mimeType of type string with value "jpeg"',
    );
    await expect(
      openImage(mediaFile('gps/spain_madrid_iphone6.jpg'), 'image/jpeg', { limitInputPixels: -1 }),
    ).rejects.toThrow(/for limitInputPixels of type number with value -1/);
  });

  it('reports a missing file as an ordinary error, not UndecodableMedia', async () => {
    const err = await openImage('/nonexistent/photo.jpg', 'image/jpeg').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UndecodableMedia);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});

describe('limitInputPixels', () => {
  it('refuses a JPEG over the limit', async () => {
    const e = mediaEntry('gps/spain_madrid_iphone6.jpg');
    const limit = e.display_width! * e.display_height! - 1;
    await expect(openImage(mediaFile(e), 'image/jpeg', { limitInputPixels: limit })).rejects.toBeInstanceOf(UndecodableMedia);
  });

  it('refuses a HEIC over the limit before decoding it', async () => {
    const e = mediaEntry('heic/uk_stonehenge.heic');
    const err = await openImage(mediaFile(e), mimeOf(e), { limitInputPixels: 1000 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UndecodableMedia);
    expect((err as Error).message).toMatch(/pixel limit/);
    // The stack is the caller's, not the worker's.
    expect((err as Error).stack).toContain('decode.test.ts');
  });
});
