import zlib from 'node:zlib';
import sharp from 'sharp';

export interface RawShape {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE_AND_IHDR = 8 + 25;

/**
 * 8-bit pixels in the colour space of `icc` (a HEIC's Display P3), converted to sRGB, which is
 * what every rendition and the browser assume. sharp cannot be told the profile of raw pixels; a
 * PNG carrying it in an iCCP chunk can, and libvips converts embedded profiles to sRGB. The PNG is
 * stored, not compressed: ~40 ms for 12 MP, beside ~1 s of HEVC decoding. A profile libvips
 * cannot use leaves the pixels as they are, as before this conversion existed.
 */
export async function rawToSrgb(pixels: Buffer, shape: RawShape, icc: Buffer): Promise<Buffer> {
  try {
    const png = await sharp(pixels, { raw: shape, limitInputPixels: false }).png({ compressionLevel: 0 }).toBuffer();
    const iccp = chunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), zlib.deflateSync(icc)]));
    const tagged = Buffer.concat([png.subarray(0, PNG_SIGNATURE_AND_IHDR), iccp, png.subarray(PNG_SIGNATURE_AND_IHDR)]);
    const { data, info } = await sharp(tagged, { limitInputPixels: false }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return info.width === shape.width && info.height === shape.height && info.channels === shape.channels ? data : pixels;
  } catch {
    return pixels;
  }
}
