import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { UndecodableMedia } from '../../src/media/errors.js';
import { ffmpegBinaries } from '../../src/media/ffmpeg-binaries.js';
import { scanTopLevelBoxes } from '../../src/media/isobmff.js';
import { extractStill, isBrowserPlayable, probeVideo, transcodeProxy } from '../../src/media/video.js';
import { isVideo, mediaEntries, mediaEntry, mediaFile, type ManifestEntry } from '../support/media.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eucalypt-video-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const videos = mediaEntries(isVideo);
const cases = videos.map((e) => [e.path, e] as const);
const slug = (e: ManifestEntry): string => e.path.replace(/\W+/g, '_');

describe('ffmpegBinaries', () => {
  it('locates ffmpeg and ffprobe once', () => {
    const first = ffmpegBinaries();
    expect(first.ffmpeg.path).toMatch(/ffmpeg(\.exe)?$/);
    expect(first.ffprobe.path).toMatch(/ffprobe(\.exe)?$/);
    expect(ffmpegBinaries()).toBe(first);
  });
});

describe('probeVideo', () => {
  it.each(cases)('%s: duration, display size, rotation, codec and frame rate match the manifest', async (_p, e) => {
    const v = e.video!;
    const probe = await probeVideo(mediaFile(e));
    expect(Math.abs(probe.duration_s! - v.duration_s)).toBeLessThanOrEqual(0.1);
    expect([probe.width, probe.height]).toEqual([e.display_width, e.display_height]);
    expect([probe.coded_width, probe.coded_height]).toEqual([v.coded_width, v.coded_height]);
    // The manifest keeps ffprobe's counter-clockwise sign; ours is clockwise.
    expect(probe.rotation_deg).toBe(((-v.rotation_ffprobe_deg % 360) + 360) % 360);
    expect(probe.codec).toBe(v.video_codec);
    expect(probe.audio_codec).toBe(v.audio_codec);
    if (v.fps !== null) expect(probe.fps!).toBeCloseTo(v.fps, 2);
  });

  it.each(cases)('%s: location and creation time match the manifest', async (_p, e) => {
    const probe = await probeVideo(mediaFile(e));
    if (e.gps) {
      expect(probe.location!.lat).toBeCloseTo(e.gps.lat, 4);
      expect(probe.location!.lon).toBeCloseTo(e.gps.lon, 4);
    } else {
      expect(probe.location).toBeNull();
    }
    if (e.datetime_original?.iso) expect(probe.creation_time).toBe(e.datetime_original.iso);
  });

  it('raises UndecodableMedia for files that are not video, with the caller’s stack', async () => {
    for (const path of ['bad/not_an_image.jpg', 'bad/empty.jpg', 'bad/corrupt-header.jpg', 'gps/spain_madrid_iphone6.jpg']) {
      const err = await probeVideo(mediaFile(path)).catch((x: unknown) => x);
      expect(err, path).toBeInstanceOf(UndecodableMedia);
      expect((err as Error).stack, path).toContain('video.test.ts');
    }
  });

  it('checks its arguments', async () => {
    await expect(probeVideo('')).rejects.toThrow('for path of type string with value ""');
    await expect(extractStill(mediaFile(videos[0]!), -1, join(dir, 'x.jpg'))).rejects.toThrow(
      'Expected a finite number of seconds >= 0 for atSeconds of type number with value -1',
    );
    await expect(transcodeProxy(mediaFile(videos[0]!), join(dir, 'x.mp4'), { crf: 99 })).rejects.toThrow(
      'Expected an integer between 0 and 51 for crf of type number with value 99',
    );
  });
});

describe('extractStill', () => {
  it.each(cases)('%s: a JPEG at the display size', async (_p, e) => {
    const dest = join(dir, `${slug(e)}.jpg`);
    // 0.5 s is past the only video frame of the 1-frame rotated MOV: it must fall back to 0.
    const still = await extractStill(mediaFile(e), 0.5, dest);
    const meta = await sharp(dest).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', e.display_width, e.display_height]);
    expect([still.width, still.height]).toEqual([e.display_width, e.display_height]);
    if (e.video!.nb_frames === 1) expect(still.at_s).toBe(0);
  });
});

describe('browser playability and proxies', () => {
  it.each(cases)('%s: isBrowserPlayable only for MP4 + H.264 + AAC/none', async (_p, e) => {
    const probe = await probeVideo(mediaFile(e));
    const mp4 = e.video!.format_name.includes('mp4') && e.mime_type === 'video/mp4';
    const playable = mp4 && e.video!.video_codec === 'h264' && [null, 'aac', 'mp3'].includes(e.video!.audio_codec);
    expect(isBrowserPlayable(probe)).toBe(playable);
  });

  const needsProxy = cases.filter(([, e]) => e.mime_type !== 'video/mp4');
  it.each(needsProxy)(
    '%s: transcodes to a playable, fast-start MP4 of the same duration and display shape',
    async (_p, e) => {
      const dest = join(dir, `${slug(e)}.mp4`);
      let progressed = 0;
      const proxy = await transcodeProxy(mediaFile(e), dest, { onProgress: (s) => (progressed = s) });
      const reprobed = await probeVideo(dest);
      expect(reprobed).toEqual(proxy);
      expect(isBrowserPlayable(proxy)).toBe(true);
      expect([proxy.codec, proxy.pixel_format, proxy.audio_codec]).toEqual([
        'h264',
        'yuv420p',
        e.video!.audio_codec === null ? null : 'aac',
      ]);
      expect(Math.abs(proxy.duration_s! - e.video!.duration_s)).toBeLessThanOrEqual(0.1);
      expect(progressed).toBeGreaterThan(0);
      // Upright, short edge ≤ 720, aspect kept (±2 px for even sizes).
      expect(proxy.rotation_deg).toBe(0);
      const dw = e.display_width!;
      const dh = e.display_height!;
      expect(Math.min(proxy.width, proxy.height)).toBe(Math.min(720, dw, dh) - (Math.min(720, dw, dh) % 2));
      expect(proxy.width > proxy.height).toBe(dw > dh);
      expect(Math.abs(Math.max(proxy.width, proxy.height) - (Math.min(proxy.width, proxy.height) * Math.max(dw, dh)) / Math.min(dw, dh))).toBeLessThanOrEqual(2);
      // +faststart: the moov box comes before the media data.
      const handle = await open(dest);
      try {
        const { buffer } = await handle.read(Buffer.alloc((await handle.stat()).size), 0, (await handle.stat()).size, 0);
        const types = scanTopLevelBoxes(buffer).boxes.map((b) => b.type);
        expect(types.indexOf('moov')).toBeGreaterThanOrEqual(0);
        expect(types.indexOf('moov')).toBeLessThan(types.indexOf('mdat'));
      } finally {
        await handle.close();
      }
    },
    30_000,
  );

  it('the Live Photo’s video (named _HEVC, really H.264) transcodes like the rest', () => {
    expect(mediaEntry('livephoto/IMG_7943_HEVC.MOV').video!.video_codec).toBe('h264');
    expect(needsProxy.map(([p]) => p)).toContain('livephoto/IMG_7943_HEVC.MOV');
  });
});

describe('HEVC video (the clip embedded in the Samsung motion photo)', () => {
  // The corpus has no HEVC video file (IMG_7943_HEVC.MOV is H.264), but the Samsung One UI 6
  // motion photo carries a real phone HEVC clip in its top-level `mpvd` box.
  it('probes, stills and transcodes with the bundled ffmpeg, upright like the photo', async () => {
    const photo = mediaEntry('livephoto/samsung-one-ui-6_motionphoto.heic');
    const bytes = await readFile(mediaFile(photo));
    const box = scanTopLevelBoxes(bytes).boxes.find((b) => b.type === 'mpvd');
    expect(box).toBeDefined();
    const clip = join(dir, 'samsung-motion.mp4');
    await writeFile(clip, bytes.subarray(box!.offset + 8, box!.offset + box!.size));

    const probe = await probeVideo(clip);
    expect(probe.codec).toBe('hevc');
    expect(isBrowserPlayable(probe)).toBe(false);
    const portrait = photo.display_height! > photo.display_width!;
    expect(probe.height > probe.width).toBe(portrait);

    const still = await extractStill(clip, 1, join(dir, 'samsung-motion.jpg'));
    expect([still.width, still.height]).toEqual([probe.width, probe.height]);

    const proxy = await transcodeProxy(clip, join(dir, 'samsung-motion-proxy.mp4'));
    expect([proxy.codec, isBrowserPlayable(proxy), proxy.rotation_deg]).toEqual(['h264', true, 0]);
    expect(proxy.height > proxy.width).toBe(portrait);
    expect(Math.abs(proxy.duration_s! - probe.duration_s!)).toBeLessThanOrEqual(0.1);
  }, 30_000);
});
