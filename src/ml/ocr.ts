/**
 * Text in photos, offline: tesseract.js (its own worker thread, LSTM engine) with the English
 * model from @tesseract.js-data/eng, read from node_modules and never cached to disk. It reads a
 * greyscale rendering of the preview, 1024 px on the long edge, with automatic page
 * segmentation: measured here at 0.1–0.8 s a photo. Photos without text yield garbage
 * fragments at low confidence; only confident, word-like tokens are kept, so most photos give
 * nothing.
 */
import { createRequire } from 'node:module';

export const OCR_LONG_EDGE = 1024;
const MIN_CONFIDENCE = 75;
const IDLE_MS = 60_000;

interface TesseractWord {
  text: string;
  confidence: number;
}
interface TesseractWorker {
  recognize(image: Buffer, options?: object, output?: object): Promise<{ data: { blocks: { paragraphs: { lines: { words: TesseractWord[] }[] }[] }[] | null } }>;
  terminate(): Promise<unknown>;
}

const require = createRequire(import.meta.url);
let worker: Promise<TesseractWorker> | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let running = 0;

function start(): Promise<TesseractWorker> {
  worker ??= (async () => {
    const tesseract = require('tesseract.js') as { createWorker(lang: string, oem: number, options: object): Promise<TesseractWorker & { setParameters(p: object): Promise<unknown> }> };
    const eng = require('@tesseract.js-data/eng') as { langPath: string; gzip: boolean };
    const w = await tesseract.createWorker('eng', 1, { langPath: eng.langPath, gzip: eng.gzip, cacheMethod: 'none', logger: () => {}, errorHandler: () => {} });
    await w.setParameters({ tessedit_pageseg_mode: '3' });
    return w;
  })().catch((err: unknown) => {
    worker = undefined;
    throw err;
  });
  return worker;
}

/**
 * A recognised token is kept when tesseract is confident and it looks like a word or number:
 * two or more letters/digits with at least one letter, or a number of two or more digits.
 */
export function keepWord(text: string, confidence: number): string | undefined {
  if (confidence < MIN_CONFIDENCE) return undefined;
  const token = text.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (token.length < 2 || !/^[\p{L}\p{N}'’.-]+$/u.test(token)) return undefined;
  if (!/\p{L}/u.test(token) && !/^\d{2,}$/.test(token)) return undefined;
  if (/\p{L}/u.test(token) && token.replace(/[^\p{L}]/gu, '').length < 2) return undefined;
  return token;
}

/** The confident words of a greyscale PNG/JPEG, space-separated in reading order ("" for none). */
export async function readText(image: Buffer): Promise<string> {
  running++;
  if (idleTimer) clearTimeout(idleTimer);
  try {
    const w = await start();
    const { data } = await w.recognize(image, {}, { blocks: true, text: false });
    const out: string[] = [];
    for (const block of data.blocks ?? []) for (const p of block.paragraphs) for (const line of p.lines) for (const word of line.words) {
      const kept = keepWord(word.text, word.confidence);
      if (kept) out.push(kept);
    }
    return out.join(' ');
  } finally {
    running--;
    if (running === 0) {
      idleTimer = setTimeout(() => void closeOcr(), IDLE_MS);
      idleTimer.unref();
    }
  }
}

export async function closeOcr(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const w = worker;
  worker = undefined;
  if (w) await (await w.catch(() => undefined))?.terminate();
}
