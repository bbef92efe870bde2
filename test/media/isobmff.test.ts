import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { heifFamily, scanTopLevelBoxes } from '../../src/media/isobmff.js';
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
