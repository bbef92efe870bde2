/**
 * Per-rung rendering times for a 12 MP JPEG and a 12 MP HEIC from the shared corpus, to
 * decide which rungs to generate eagerly. Run: `npx tsx bench/media-rungs.ts [repeats]`.
 * Prints medians in milliseconds; one process, sequential, so numbers are single-job latency.
 */
import { fileURLToPath } from 'node:url';
import { openImage, type ImageSource } from '../src/media/decode.js';
import { closeExifTool } from '../src/media/exiftool.js';
import { closeHeicPool } from '../src/media/heic-pool.js';
import { renderVariant, type RenderOptions } from '../src/media/render.js';
import { RUNG_NAMES, RUNGS } from '../src/media/rungs.js';
import { thumbHashBase64 } from '../src/media/thumbhash.js';

const MEDIA = new URL('../../shared/media/', import.meta.url);
const repeats = Number(process.argv[2] ?? 5);

const FILES = [
  { path: 'gps/spain_madrid_iphone6.jpg', mime: 'image/jpeg' },
  { path: 'heic/iphone_IMG_2682.heic', mime: 'image/heic' },
];

const VARIANTS: Array<[string, RenderOptions]> = [
  ...RUNG_NAMES.map((name): [string, RenderOptions] => [
    `${name} (${RUNGS[name].format} ${RUNGS[name].longEdge ?? 'full'} q${RUNGS[name].quality})`,
    { width: RUNGS[name].longEdge, format: RUNGS[name].format, quality: RUNGS[name].quality },
  ]),
  ['preview as webp 1440 q80', { width: 1440, format: 'webp', quality: 80 }],
  ['fullsize as webp q90', { width: null, format: 'webp', quality: 90 }],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

for (const file of FILES) {
  const path = fileURLToPath(new URL(file.path, MEDIA));
  const [firstOpen] = await time(() => openImage(path, file.mime));
  const opens: number[] = [];
  let source: ImageSource | undefined;
  for (let i = 0; i < repeats; i++) {
    const [ms, s] = await time(() => openImage(path, file.mime));
    opens.push(ms);
    source = s;
  }
  console.log(`\n${file.path} (${source!.width}x${source!.height}, ${source!.decoder})`);
  console.log(`  open (first, incl. worker start)  ${firstOpen.toFixed(0).padStart(6)} ms`);
  console.log(`  open (warm)                       ${median(opens).toFixed(0).padStart(6)} ms`);
  let thumbnail: Buffer | undefined;
  for (const [label, options] of VARIANTS) {
    const runs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < repeats; i++) {
      const [ms, out] = await time(() => renderVariant(source!, options));
      runs.push(ms);
      bytes = out.data.length;
      if (label.startsWith('thumbnail')) thumbnail = out.data;
    }
    console.log(`  ${label.padEnd(33)} ${median(runs).toFixed(0).padStart(6)} ms  ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
  }
  const hashRuns: number[] = [];
  for (let i = 0; i < repeats; i++) hashRuns.push((await time(() => thumbHashBase64(thumbnail!)))[0]);
  console.log(`  thumbhash from thumbnail bytes    ${median(hashRuns).toFixed(1).padStart(6)} ms`);
  const [openPlusAll] = await time(async () => {
    const s = await openImage(path, file.mime);
    for (const name of RUNG_NAMES) await renderVariant(s, { width: RUNGS[name].longEdge, format: RUNGS[name].format, quality: RUNGS[name].quality });
  });
  console.log(`  open + all four rungs, sequential ${openPlusAll.toFixed(0).padStart(6)} ms`);
}

await closeHeicPool();
await closeExifTool();
