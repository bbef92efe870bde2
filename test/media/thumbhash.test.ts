import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from 'thumbhash';
import { openImage } from '../../src/media/decode.js';
import { UndecodableMedia } from '../../src/media/errors.js';
import { renderRung } from '../../src/media/render.js';
import { thumbHashBase64 } from '../../src/media/thumbhash.js';
import { mediaEntry, mediaFile, mimeOf } from '../support/media.js';

// Per-file ThumbHash aspect checks run for the whole corpus in decode.test.ts.
describe('thumbHashBase64', () => {
  it('gives the same hash from the thumbnail bytes as from the opened source (both ≤100 px first)', async () => {
    const e = mediaEntry('faces/biden/biden.jpg'); // tall portrait, 970x2204
    const source = await openImage(mediaFile(e), mimeOf(e));
    const fromThumb = await thumbHashBase64((await renderRung(source, 'thumbnail')).data);
    const fromSource = await thumbHashBase64(source);
    expect(fromThumb).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    for (const hash of [fromThumb, fromSource]) {
      const bytes = Buffer.from(hash, 'base64');
      expect(bytes.length).toBeLessThanOrEqual(25);
      const { w, h, rgba } = thumbHashToRGBA(bytes);
      expect(rgba.length).toBe(w * h * 4);
      expect(w).toBeLessThan(h);
      // round(7 × 970/2204) = 3 terms across, 7 down.
      expect(thumbHashToApproximateAspectRatio(bytes)).toBeCloseTo(3 / 7, 5);
    }
  });

  it('marks transparency in the hash, and only real transparency', async () => {
    const opaque = mediaEntry('faces/obama/obama2_32bit.png'); // RGBA, every pixel opaque
    const opaqueHash = Buffer.from(await thumbHashBase64(await openImage(mediaFile(opaque), mimeOf(opaque))), 'base64');
    expect(opaqueHash[2]! & 0x80).toBe(0);
    const transparent = await sharp({
      create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.25 } },
    })
      .png()
      .toBuffer();
    const hash = Buffer.from(await thumbHashBase64(transparent), 'base64');
    expect(hash[2]! & 0x80).not.toBe(0);
    const { w, h } = thumbHashToRGBA(hash);
    expect(w).toBeGreaterThan(h);
  });

  it('rejects bytes that are not an image', async () => {
    await expect(thumbHashBase64(Buffer.from('not an image'))).rejects.toBeInstanceOf(UndecodableMedia);
    await expect(thumbHashBase64(Buffer.alloc(0))).rejects.toThrow(/for input of type object/);
  });
});
