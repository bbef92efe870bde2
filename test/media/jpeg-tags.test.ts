import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlainJpeg, toFileMetadata, type FileMetadata } from '../../src/media/exif.js';
import { closeExifTool, sharedExifTool } from '../../src/media/exiftool.js';
import { readPlainJpegTags } from '../../src/media/jpeg-tags.js';
import { appleMakerNote, exifSegment, jpegWith, segment, type ExifLayout } from '../support/jpeg-exif.js';

const MEDIA = path.resolve(__dirname, '../../../shared/media');
const walk = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const corpusJpegs = walk(MEDIA).filter((f) => /\.jpe?g$/i.test(f));

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-jpeg-tags-'));
});
afterAll(async () => {
  await closeExifTool();
  await fsp.rm(dir, { recursive: true, force: true });
});

const viaExifTool = async (file: string) => toFileMetadata((await sharedExifTool().readRaw(file, { readArgs: ['-G', '-n'] })) as Record<string, unknown>);

/** The same metadata, numbers compared to 12 significant digits (Perl and V8 may round the last bit differently). */
function expectSameMetadata(actual: FileMetadata, expected: FileMetadata) {
  const round = (m: FileMetadata) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(12)) : v]));
  expect(round(actual)).toEqual(round(expected));
}

async function written(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fsp.writeFile(file, bytes);
  return file;
}

const ascii = (tag: number, value: string) => ({ tag, type: 2 as const, value });
const short = (tag: number, ...value: number[]) => ({ tag, type: 3 as const, value });
const rational = (tag: number, ...pairs: number[]) => ({ tag, type: 5 as const, value: pairs });
const signedRational = (tag: number, ...pairs: number[]) => ({ tag, type: 10 as const, value: pairs });

describe('readPlainJpeg against ExifTool', () => {
  it('reads the corpus JPEGs it takes on exactly as ExifTool does, and takes on the plain ones', async () => {
    const taken: string[] = [];
    for (const file of corpusJpegs) {
      const tags = await readPlainJpeg(file);
      if (!tags) continue;
      taken.push(path.relative(MEDIA, file));
      expectSameMetadata(toFileMetadata(tags), await viaExifTool(file));
    }
    // Metadata-free files, every EXIF orientation, an iPhone with Apple's maker note, a camera with GPS.
    expect(taken).toEqual(expect.arrayContaining([
      'jpeg/nature/silver_fir.jpg',
      ...Array.from({ length: 9 }, (_, i) => `orientation/Landscape_${i}.jpg`),
      'gps/spain_madrid_iphone6.jpg',
      'gps/kenya_nakuru_kodak.jpg',
      'jpeg/camera/Canon_40D.jpg',
    ]));
    // XMP, IPTC, data after the image, old maker notes without a lens model: ExifTool's.
    expect(taken).not.toEqual(expect.arrayContaining(['jpeg/nature/prairie_falcon.jpg']));
    expect(taken).not.toEqual(expect.arrayContaining(['gps/finland_oulu_bird.jpg']));
    expect(taken).not.toEqual(expect.arrayContaining(['jpeg/camera/Canon_PowerShot_S40.jpg']));
    for (const bad of ['bad/empty.jpg', 'bad/truncated.jpg', 'bad/not_an_image.jpg', 'bad/corrupt-header.jpg']) {
      expect(await readPlainJpeg(path.join(MEDIA, bad))).toBeNull();
    }
  });

  const apple: ExifLayout = {
    ifd0: [ascii(0x010f, 'Apple  '), ascii(0x0110, 'iPhone 15 Pro'), short(0x0112, 6), ascii(0x0132, '2024:06:01 10:00:03'), ascii(0x010e, 'Harbour at dusk')],
    exif: [
      rational(0x829a, 1, 120),
      rational(0x829d, 178, 100),
      short(0x8827, 64),
      ascii(0x9003, '2024:06:01 09:59:58'),
      ascii(0x9004, '2024:06:01 09:59:58'),
      ascii(0x9011, '-03:00'),
      ascii(0x9291, '050'),
      signedRational(0x9204, -2, 3),
      rational(0x920a, 6765, 1000),
      ascii(0xa434, 'iPhone 15 Pro back triple camera 6.765mm f/1.78'),
      {
        tag: 0x927c,
        type: 7,
        value: appleMakerNote([ascii(0x000b, 'B1E2C7F4-2D4A-4E61-9C0B-6D1D7C2E9A01'), ascii(0x0011, '6F1B6A44-3B29-4F3E-8E6E-0B7C1E4D2A55')]),
      },
    ],
    gps: [ascii(0x0001, 'S'), rational(0x0002, 33, 1, 51, 1, 3546, 100), ascii(0x0003, 'W'), rational(0x0004, 70, 1, 40, 1, 1200, 100), { tag: 0x0005, type: 7, value: Buffer.from([1]) }, rational(0x0006, 125, 10)],
  };

  it.each([
    ['big-endian, with an Apple maker note and southern, western, below-sea-level GPS', apple],
    ['little-endian', { ...apple, littleEndian: true }],
    [
      'APEX aperture and shutter speed only, and a tag IFD1 repeats with the same value',
      {
        ifd0: [ascii(0x010f, 'Canon'), ascii(0x0110, 'EOS 5D'), short(0x0112, 1)],
        exif: [signedRational(0x9201, 6, 1), rational(0x9202, 5, 1), ascii(0x9003, '2010:01:02 03:04:05')],
        ifd1: [short(0x0112, 1), short(0x0103, 6)],
      },
    ],
  ] as Array<[string, ExifLayout]>)('matches ExifTool on a JPEG %s', async (name, layout) => {
    const file = await written(`${name.length}.jpg`, await jpegWith([segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')), exifSegment(layout)]));
    const tags = await readPlainJpeg(file);
    expect(tags).not.toBeNull();
    const metadata = toFileMetadata(tags!);
    expectSameMetadata(metadata, await viaExifTool(file));
    if (layout === apple) {
      expect(metadata).toMatchObject({
        make: 'Apple',
        width: 32,
        height: 48,
        livePhotoCid: '6F1B6A44-3B29-4F3E-8E6E-0B7C1E4D2A55',
        autoStackId: 'B1E2C7F4-2D4A-4E61-9C0B-6D1D7C2E9A01',
        altitude: -12.5,
        originalDatetime: '2024-06-01T09:59:58.050-03:00',
      });
      expect(metadata.latitude).toBeCloseTo(-(33 + 51 / 60 + 35.46 / 3600), 9);
      expect(metadata.longitude).toBeCloseTo(-(70 + 40 / 60 + 12 / 3600), 9);
    }
  });

  it('leaves to ExifTool what takes its judgement', async () => {
    const exif = exifSegment({ ifd0: [ascii(0x010f, 'Canon'), ascii(0x0110, 'EOS 5D')] });
    const cases: Record<string, Buffer> = {
      'XMP': await jpegWith([exif, segment(0xe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>', 'latin1'))]),
      'IPTC': await jpegWith([exif, segment(0xed, Buffer.from('Photoshop 3.0\0', 'latin1'))]),
      'a video after the image': Buffer.concat([await jpegWith([exif]), Buffer.from('\0\0\0\x18ftypmp42')]),
      'an unknown APP segment': await jpegWith([exif, segment(0xeb, Buffer.from('JP\0\0', 'latin1'))]),
      'text beyond ASCII': await jpegWith([exifSegment({ ifd0: [ascii(0x010e, 'Z\u00fcrich')] })]),
      'a zero denominator': await jpegWith([exifSegment({ ifd0: [], exif: [rational(0x829d, 28, 0)] })]),
      'IFD1 contradicting IFD0': await jpegWith([exifSegment({ ifd0: [short(0x0112, 6)], ifd1: [short(0x0112, 1)] })]),
      'a camera maker note and no lens model': await jpegWith([
        exifSegment({ ifd0: [ascii(0x010f, 'Canon'), ascii(0x0110, 'EOS 5D')], exif: [rational(0x829d, 28, 10), rational(0x829a, 1, 60), { tag: 0x927c, type: 7, value: Buffer.alloc(32) }] }),
      ]),
      'a directory past the segment': await jpegWith([segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0MM\0\x2a\0\0\x10\0', 'latin1')]))]),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const file = await written(`${name}.jpg`, bytes);
      expect(await readPlainJpeg(file), name).toBeNull();
    }
  });

  it('needs the frame header within the head it is given', async () => {
    const bytes = await jpegWith([segment(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.alloc(60_000)]))]);
    expect(readPlainJpegTags(bytes, true)).toMatchObject({ 'Composite:ImageSize': '48 32' });
    expect(readPlainJpegTags(bytes.subarray(0, 40_000), true)).toBeNull();
    expect(readPlainJpegTags(bytes, false)).toBeNull();
  });
});
