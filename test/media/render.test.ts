import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { openImage, type ImageSource } from '../../src/media/decode.js';
import { closeExifTool } from '../../src/media/exiftool.js';
import { renderRung, renderVariant } from '../../src/media/render.js';
import { RUNG_NAMES, RUNGS } from '../../src/media/rungs.js';
import { expectedLongEdge, mediaEntry, mediaFile, mimeOf } from '../support/media.js';

afterAll(closeExifTool);

async function open(path: string): Promise<ImageSource> {
  const e = mediaEntry(path);
  return openImage(mediaFile(e), mimeOf(e));
}

describe('rungs', () => {
  it('are thumbnail 360, small 720, preview 1440 and full size', () => {
    expect(RUNG_NAMES.map((name) => RUNGS[name].longEdge)).toEqual([360, 720, 1440, null]);
  });

  it('render a 12 MP JPEG at each rung, in the rung format, never larger than the original', async () => {
    const e = mediaEntry('gps/spain_madrid_iphone6.jpg');
    const source = await open(e.path);
    for (const name of RUNG_NAMES) {
      const rung = RUNGS[name];
      const out = await renderRung(source, name);
      const longEdge = rung.longEdge === null ? Math.max(e.display_width!, e.display_height!) : expectedLongEdge(e, rung.longEdge);
      expect(Math.max(out.width, out.height), name).toBe(longEdge);
      expect(out.width > out.height).toBe(e.display_width! > e.display_height!);
      const meta = await sharp(out.data).metadata();
      expect([meta.format, meta.width, meta.height, meta.orientation], name).toEqual([
        rung.format,
        out.width,
        out.height,
        undefined, // pixels are upright, so no Orientation tag is written
      ]);
    }
  });

  it('never upscale a small image', async () => {
    const e = mediaEntry('jpeg/camera/Canon_40D.jpg');
    const out = await renderVariant(await open(e.path), { width: 1440, format: 'jpeg', quality: 80 });
    expect([out.width, out.height]).toEqual([e.display_width, e.display_height]);
  });

  it('full size of a rotated JPEG is the display size', async () => {
    const e = mediaEntry('orientation/Landscape_6.jpg');
    const out = await renderRung(await open(e.path), 'fullsize');
    expect([out.width, out.height]).toEqual([e.display_width, e.display_height]);
  });

  it('flatten transparency onto white for JPEG and keep it for WebP', async () => {
    // The corpus PNGs are all opaque, so make a half-transparent one.
    const dir = await mkdtemp(join(tmpdir(), 'eucalypt-render-'));
    try {
      const path = join(dir, 'half-transparent.png');
      await sharp({ create: { width: 64, height: 32, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } })
        .composite([{ input: { create: { width: 32, height: 32, channels: 4, background: '#0000ff' } }, left: 0, top: 0 }])
        .png()
        .toFile(path);
      const source = await openImage(path, 'image/png');
      expect(source.hasAlpha).toBe(true);
      const jpeg = await renderVariant(source, { width: 64, format: 'jpeg', quality: 95 });
      const { data, info } = await sharp(jpeg.data).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(3);
      const rightHalf = (48 + 16 * 64) * 3; // a pixel in the transparent half
      expect([...data.subarray(rightHalf, rightHalf + 3)].every((v) => v > 245)).toBe(true);
      const webp = await sharp((await renderVariant(source, { width: 64, format: 'webp' })).data).metadata();
      expect(webp.hasAlpha).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('renderVariant argument checks', () => {
  it('names the parameter, the expectation and the value', async () => {
    const source = await open('jpeg/camera/Canon_40D.jpg');
    await expect(renderVariant(source, { width: 0, format: 'webp' })).rejects.toThrow(
      'Expected an integer between 1 and 16383 for width of type number with value 0',
    );
    await expect(renderVariant(source, { width: 360, format: 'png' as 'webp' })).rejects.toThrow(
      'Expected one of: webp, jpeg for format of type string with value "png"',
    );
    await expect(renderVariant(source, { width: 360, format: 'jpeg', quality: 101 })).rejects.toThrow(
      'Expected an integer between 1 and 100 for quality of type number with value 101',
    );
    await expect(renderVariant(source, { width: 360, format: 'jpeg', kernel: 'nearest' as 'cubic' })).rejects.toThrow(
      'Expected one of: lanczos3, cubic for kernel of type string with value "nearest"',
    );
    await expect(renderVariant({} as ImageSource, { width: 360, format: 'jpeg' })).rejects.toThrow(
      /Expected an ImageSource from openImage\(\) for source of type object/,
    );
    await expect(renderRung(source, 'huge' as 'small')).rejects.toThrow(/for rung of type string with value "huge"/);
  });
});
