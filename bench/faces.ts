/**
 * `npm run bench:faces`: face detection and clustering on the labelled corpus (../shared/media,
 * every file whose labels carry `faces`), through the same worker pool the server uses.
 *
 * Prints detection recall on labelled faces, false faces per image, clustering pair precision
 * and BCubed F1 for labelled people with two or more photos, timings, peak RSS and the event
 * loop lag of this (the API's) thread while faces are processed — for our two-stage pipeline
 * and, in the same process, the plain baseline (human once over the whole picture: no padding,
 * tiles, face-centred second stage or mirrored descriptor).
 *
 * The labels give counts and identities, not boxes: an image's labelled faces are taken to be
 * its `count` largest detections, named left to right (the corpus names group photos in that
 * order), and faces beyond `face_count_max ?? count` are false. Exact copies a library would
 * dedupe (`duplicates/obama_copy.jpg`) count for detection but are left out of clustering.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FACE_THRESHOLDS } from '../src/domain/face-calibration.js';
import { type ClusterFace, cosineDistance, planClustering } from '../src/domain/face-clustering.js';
import { scoreClusters } from '../src/domain/bcubed.js';
import type { EngineOptions } from '../src/ml/face-engine.js';
import { closeFacePool } from '../src/ml/face-pool.js';
import { type DetectedFace, detectFaces } from '../src/ml/faces.js';
import { mediaEntries, mediaFile, type ManifestEntry } from '../test/support/media.js';

interface FaceLabels {
  count: number;
  people: string[];
}
const labelsOf = (e: ManifestEntry) => e.labels.faces as FaceLabels;
const entries = mediaEntries((e) => e.labels.faces !== undefined);

interface ImageResult {
  entry: ManifestEntry;
  width: number;
  height: number;
  faces: DetectedFace[];
  ms: number;
}

async function detectAll(options: Partial<EngineOptions>): Promise<{ images: ImageResult[]; lagMaxMs: number; lagP99Ms: number; rssMaxMb: number }> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 50);
  // One warm-up so model loading is not counted as the first image's time.
  await detectFaces(mediaFile(entries[0]), options);
  lag.enable();
  const images: ImageResult[] = [];
  for (const entry of entries) {
    const t0 = performance.now();
    const d = await detectFaces(mediaFile(entry), options);
    images.push({ entry, width: d.width, height: d.height, faces: d.faces, ms: performance.now() - t0 });
  }
  lag.disable();
  clearInterval(sampler);
  return { images, lagMaxMs: lag.max / 1e6, lagP99Ms: lag.percentile(99) / 1e6, rssMaxMb: rssMax / 2 ** 20 };
}

interface Named {
  path: string;
  person: string;
  face: DetectedFace;
}

/** The labelled faces of an image: its `count` largest detections, named left to right. */
function named(r: ImageResult): Named[] {
  const { count, people } = labelsOf(r.entry);
  const largest = [...r.faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h).slice(0, count);
  return largest.sort((a, b) => a.box.x - b.box.x).map((face, i) => ({ path: r.entry.path, person: people[i], face }));
}

function detectionScores(images: ImageResult[]) {
  let labelled = 0;
  let found = 0;
  let falseFaces = 0;
  let smallest = Infinity;
  for (const r of images) {
    const { count } = labelsOf(r.entry);
    const max = (r.entry.labels.face_count_max as number | undefined) ?? count;
    labelled += count;
    found += Math.min(count, r.faces.length);
    falseFaces += Math.max(0, r.faces.length - max);
    for (const n of named(r)) smallest = Math.min(smallest, n.face.box.w);
  }
  return { labelled, found, recall: found / labelled, falseFaces, falsePerImage: falseFaces / images.length, smallest };
}

/** Clustering as the server runs it: a pass after each image's faces arrive, in corpus order. */
function clusterIncrementally(images: ImageResult[]) {
  const faces: (ClusterFace & { person: string | null })[] = [];
  let nextPerson = 1;
  for (const r of images.filter((x) => x.entry.path !== 'duplicates/obama_copy.jpg')) {
    const labelled = new Map(named(r).map((n) => [n.face, n.person]));
    r.faces.forEach((f, i) => faces.push({ id: `${r.entry.path}#${i}`, assetId: r.entry.path, personId: null, movable: true, detachedFrom: null, embedding: f.embedding, person: labelled.get(f) ?? null }));
    const plan = planClustering(faces, FACE_THRESHOLDS);
    const byId = new Map(faces.map((f) => [f.id, f]));
    for (const [id, to] of plan.moves) byId.get(id)!.personId = to;
    for (const group of plan.newPeople) {
      const id = `P${nextPerson++}`;
      for (const fid of group) byId.get(fid)!.personId = id;
    }
  }
  // People with two or more labelled photos.
  const photos = new Map<string, Set<string>>();
  for (const f of faces) if (f.person) photos.set(f.person, (photos.get(f.person) ?? new Set()).add(f.assetId));
  const scored = faces.filter((f) => f.person && photos.get(f.person)!.size >= 2);
  return { ...scoreClusters(scored.map((f) => ({ truth: f.person!, cluster: f.personId }))), faces: scored.length, people: new Set(scored.map((f) => f.person)).size };
}

function separation(images: ImageResult[]) {
  const all = images.filter((x) => x.entry.path !== 'duplicates/obama_copy.jpg').flatMap(named);
  let sameMax = 0;
  let diffMin = Infinity;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const d = cosineDistance(all[i].face.embedding, all[j].face.embedding);
      if (all[i].person === all[j].person) sameMax = Math.max(sameMax, d);
      else diffMin = Math.min(diffMin, d);
    }
  }
  return { sameMax, diffMin, gap: diffMin - sameMax };
}

function timing(images: ImageResult[]) {
  const all = images.map((r) => r.ms).sort((a, b) => a - b);
  const single = images.filter((r) => r.faces.length === 1 && Math.max(r.width, r.height) >= 1000).map((r) => r.ms).sort((a, b) => a - b);
  const median = (a: number[]) => (a.length ? a[Math.floor(a.length / 2)] : NaN);
  return { meanMs: all.reduce((s, x) => s + x, 0) / all.length, medianMs: median(all), singleFaceLargeMedianMs: median(single), singleFaceLargeImages: single.length };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const f3 = (x: number) => x.toFixed(3);

async function run(name: string, options: Partial<EngineOptions>) {
  const det = await detectAll(options);
  const d = detectionScores(det.images);
  const c = clusterIncrementally(det.images);
  const s = separation(det.images);
  const t = timing(det.images);
  console.log(`\n== ${name} ==`);
  console.log(`images ${det.images.length} (labelled faces ${d.labelled}, smallest found ${d.smallest} px wide)`);
  console.log(`detection recall ${pct(d.recall)} (${d.found}/${d.labelled})   target ≥ 95 %`);
  console.log(`false faces ${d.falseFaces} = ${d.falsePerImage.toFixed(3)} per image   target ≤ 0.05 (1 per 20 images)`);
  console.log(`identity separation: same-person max ${f3(s.sameMax)}, different-people min ${f3(s.diffMin)}, gap ${f3(s.gap)}`);
  console.log(`clustering (${c.people} people with ≥ 2 photos, ${c.faces} faces): pair precision ${f3(c.pairPrecision)} (target ≥ 0.98), BCubed P ${f3(c.bcubedPrecision)} R ${f3(c.bcubedRecall)} F1 ${f3(c.bcubedF1)} (target ≥ 0.9)`);
  console.log(`time per image: mean ${t.meanMs.toFixed(0)} ms, median ${t.medianMs.toFixed(0)} ms; single-face ≥1000-px images (${t.singleFaceLargeImages}): median ${t.singleFaceLargeMedianMs.toFixed(0)} ms   target ≤ 250 ms`);
  console.log(`peak RSS ${det.rssMaxMb.toFixed(0)} MiB (target ≤ 1024); API event-loop lag max ${det.lagMaxMs.toFixed(1)} ms, p99 ${det.lagP99Ms.toFixed(1)} ms (target ≤ 50)`);
  return { d, c, s, t };
}

const ours = await run('two-stage (padding, tiles, face-centred second stage, mirrored descriptor)', {});
const base = await run('baseline (human once over the whole picture)', { mode: 'plain' });
console.log('\n== ratios (two-stage / baseline) ==');
console.log(`recall ${(ours.d.recall / base.d.recall).toFixed(2)}×, false faces ${ours.d.falseFaces} vs ${base.d.falseFaces}, BCubed F1 ${(ours.c.bcubedF1 / base.c.bcubedF1).toFixed(2)}×, separation gap ${f3(ours.s.gap)} vs ${f3(base.s.gap)}, time ${(ours.t.meanMs / base.t.meanMs).toFixed(2)}×`);
await closeFacePool();
