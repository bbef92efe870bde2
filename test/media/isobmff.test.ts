import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { heifFamily, heifIccProfile, scanTopLevelBoxes } from '../../src/media/isobmff.js';
import { mediaEntries, mediaFile } from '../support/media.js';

describe('scanTopLevelBoxes', () => {
  it('finds every HEIF/AVIF/MOV file outside bad/ complete', async () => {
    const files = mediaEntries((e) => !e.path.startsWith('bad/') && /^(image\/(heic|heif|avif)|video\/(quicktime|mp4))$/.test(e.mime_type ?? ''));
    expect(files.length).toBeGreaterThan(10);
    for (const e of files) {
      const bytes = await readFile(mediaFile(e));
      const scan = scanTopLevelBoxes(bytes);
      expect(scan.problem, e.path).toBeNull();
      expect(scan.boxes[0]!.type, e.path).toBe('ftyp');
      expect(scan.boxes.reduce((n, b) => n + b.size, 0), e.path).toBe(e.size_bytes);
    }
  });

  it('reports the truncated HEIC', async () => {
    const scan = scanTopLevelBoxes(await readFile(mediaFile('bad/libheif_example_truncated.heic')));
    expect(scan.problem).toMatch(/truncated/);
  });
});

describe('heifFamily', () => {
  it('tells HEVC (libheif) from AV1 (libvips) by brand', async () => {
    for (const e of mediaEntries((x) => /^image\/(heic|heif|avif)$/.test(x.mime_type ?? '') && !x.path.startsWith('bad/'))) {
      const family = heifFamily(await readFile(mediaFile(e)));
      expect(family, e.path).toBe(e.mime_type === 'image/avif' ? 'av1' : 'hevc');
    }
    expect(heifFamily(await readFile(mediaFile('gps/spain_madrid_iphone6.jpg')))).toBeNull();
  });
});

describe('heifIccProfile', () => {
  it("finds the Display P3 profile Apple devices write, and nothing in files without one", async () => {
    for (const file of ['heic/iphone_IMG_2682.heic', 'heic/usa_washington_dc_iphone_se.heic', 'livephoto/IMG_7943.HEIC']) {
      const icc = heifIccProfile(await readFile(mediaFile(file)));
      expect(icc, file).not.toBeNull();
      const bytes = Buffer.from(icc!);
      expect(bytes.readUInt32BE(0), file).toBe(bytes.length); // an ICC header starts with its own size
      expect(bytes.toString('latin1', 36, 40), file).toBe('acsp');
      expect(bytes.toString('latin1').replace(/\0/g, ''), file).toContain('Display P3');
    }
    for (const file of ['heic/libheif_example.heic', 'heic/uk_stonehenge.heic', 'jpeg/nature/silver_fir.jpg']) {
      expect(heifIccProfile(await readFile(mediaFile(file))), file).toBeNull();
    }
  });
});
