import { describe, expect, it } from 'vitest';
import { toFileMetadata } from '../../src/media/exif.js';

describe('toFileMetadata', () => {
  it('takes sublocation and place name from IPTC/XMP location fields', () => {
    const m = toFileMetadata({
      'File:MIMEType': 'image/jpeg',
      'IPTC:Sub-location': 'Presidio',
      'XMP:LocationShownLocationName': 'Golden Gate Bridge',
    });
    expect(m.sublocation).toBe('Presidio');
    expect(m.placeName).toBe('Golden Gate Bridge');
  });

  it('swaps display axes for EXIF orientations 5-8, HEIF irot quarter turns and rotated video', () => {
    expect(toFileMetadata({ 'File:MIMEType': 'image/jpeg', 'Composite:ImageSize': '1200 1800', 'EXIF:Orientation': 6 })).toMatchObject({ width: 1800, height: 1200, rawWidth: 1200, rawHeight: 1800 });
    expect(toFileMetadata({ 'File:MIMEType': 'image/heic', 'Composite:ImageSize': '5712 4284', 'QuickTime:Rotation': 3, 'EXIF:Orientation': 6 })).toMatchObject({ width: 4284, height: 5712 });
    expect(toFileMetadata({ 'File:MIMEType': 'image/heic', 'Composite:ImageSize': '100 134', 'QuickTime:CleanAperture': '100 133 0 -0.5' })).toMatchObject({ width: 100, height: 133 });
    expect(toFileMetadata({ 'File:MIMEType': 'video/quicktime', 'Composite:ImageSize': '1920 1080', 'Composite:Rotation': 90, 'QuickTime:Duration': 1.5 })).toMatchObject({ width: 1080, height: 1920, rawWidth: null, duration: 1.5 });
  });

  it('ignores ratings outside -1..5 and orientations outside 1..8', () => {
    expect(toFileMetadata({ 'XMP:Rating': 7, 'EXIF:Orientation': 0 })).toMatchObject({ rating: null, orientation: null });
    expect(toFileMetadata({ 'XMP:Rating': 5 })).toMatchObject({ rating: 5 });
  });
});
