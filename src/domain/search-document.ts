/**
 * The text the full-text stage indexes for one asset: everything a person might type to find it.
 * Pure: the indexer gathers whatever is known (some inputs arrive later, from background tasks,
 * or from features that are not there yet) and calls this again whenever an input changes.
 */
import { foldText } from './search-text.js';

export interface SearchDocumentInput {
  fileName: string;
  /** The user's (or the file's) description: `metadata.description`. */
  description?: string | null;
  /** The vision-language model's description: `asset.description`. */
  aiDescription?: string | null;
  make?: string | null;
  model?: string | null;
  lensModel?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  countryCode?: string | null;
  sublocation?: string | null;
  placeName?: string | null;
  displayLabel?: string | null;
  /** Capture wall clock, `YYYY-MM-DDTHH:MM:SS.mmm`. */
  localWall?: string | null;
  /** Object labels from the detector (COCO class names). */
  labels?: readonly string[];
  /** Words read from the picture. */
  ocrText?: string | null;
  mediaType?: 'image' | 'video';
  /** Names of the people whose faces are in the asset. */
  people?: readonly string[];
  /** Names of the albums that hold the asset. */
  albums?: readonly string[];
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** Words people use for a country beside its official name. */
const COUNTRY_ALIASES: Record<string, string> = { US: 'usa america', GB: 'uk britain', AE: 'uae', NL: 'holland', CZ: 'czech republic' };

/** Other words for a detector label (the stemmer already covers plurals). */
const LABEL_ALIASES: Record<string, string> = { person: 'people', 'cell phone': 'phone mobile', tv: 'television', couch: 'sofa', motorcycle: 'motorbike', airplane: 'plane aeroplane' };

/** Splits `IMG_2682.heic`, `spain-madrid.jpg` and `kitWithRose.png` into words. */
export function fileNameWords(fileName: string): string {
  return fileName.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[\s_.\-+~()[\]{}]+/g, ' ').trim();
}

export function dateWords(localWall: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})/.exec(localWall ?? '');
  if (!m) return '';
  const month = MONTHS[Number(m[2]) - 1];
  return month ? `${m[1]} ${month}` : m[1];
}

/** "Canon Canon EOS 40D" → "Canon EOS 40D": a make repeated in the model, a city in the display label. */
function uniqueWords(parts: (string | null | undefined)[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const word of parts.filter(Boolean).join(' ').split(/[\s,]+/)) {
    const key = foldText(word);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(word);
  }
  return out.join(' ');
}

/** One folded line per source; empty sources are left out. */
export function buildSearchDocument(input: SearchDocumentInput): string {
  const labels = input.labels ?? [];
  const lines = [
    fileNameWords(input.fileName),
    input.description,
    input.aiDescription,
    uniqueWords([input.make, input.model, input.lensModel]),
    uniqueWords([input.placeName, input.sublocation, input.city, input.state, input.country, input.displayLabel]),
    input.countryCode ? COUNTRY_ALIASES[input.countryCode.toUpperCase()] : undefined,
    dateWords(input.localWall),
    input.mediaType === 'video' ? 'video' : undefined,
    labels.map((l) => (LABEL_ALIASES[l] ? `${l} ${LABEL_ALIASES[l]}` : l)).join(' '),
    input.ocrText,
    (input.people ?? []).join(' '),
    (input.albums ?? []).join(' '),
  ];
  return lines
    .map((l) => (l ? foldText(l).replace(/\s+/g, ' ').trim() : ''))
    .filter((l) => l !== '')
    .join('\n');
}
