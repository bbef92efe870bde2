/**
 * Text rules shared by the search document and the query, so both databases see the same words:
 * accents are folded here (not by `unaccent` or a tokenizer option), words are split on anything
 * that is not a letter or digit, and typo tolerance is a bounded edit distance.
 */

const SPECIAL_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower case without diacritics ("Ñandú São Tomé Straße" → "nandu sao tome strasse"). */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => SPECIAL_LETTERS[c] ?? c)
    .normalize('NFC');
}

/** Folded words: runs of letters and digits. */
export function words(text: string): string[] {
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}

/** Words that carry no meaning in a photo query; dropped unless the query has nothing else. */
const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were with photo photos picture pictures image images me my show find'.split(' '),
);

export const MAX_QUERY_TERMS = 16;
const MAX_TERM_LENGTH = 64;

/** The distinct words of a query in order, stopwords removed (kept if they are all there is). */
export function queryTerms(query: string): string[] {
  const all = [...new Set(words(query).map((w) => w.slice(0, MAX_TERM_LENGTH)))];
  const meaningful = all.filter((w) => !STOPWORDS.has(w));
  return (meaningful.length > 0 ? meaningful : all).slice(0, MAX_QUERY_TERMS);
}

/** Edits a query word may be away from an indexed word: none for short words, one, then two from 8 letters. */
export function typoBudget(term: string): number {
  if (term.length < 4 || /^\d+$/.test(term)) return 0;
  return term.length >= 8 ? 2 : 1;
}

/**
 * Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent swaps),
 * or `max + 1` as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  let prevPrev = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    let best = row[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2] + 1);
      row[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length] > max ? max + 1 : prev[b.length];
}

/** Indexed words within the term's typo budget, closest first (ties alphabetical), at most `limit`. */
export function closeWords(term: string, vocabulary: readonly string[], limit = 5): string[] {
  const budget = typoBudget(term);
  if (budget === 0) return [];
  return vocabulary
    .filter((w) => w !== term)
    .map((w) => ({ w, d: editDistance(term, w, budget) }))
    .filter((x) => x.d <= budget)
    .sort((x, y) => x.d - y.d || (x.w < y.w ? -1 : x.w > y.w ? 1 : 0))
    .slice(0, limit)
    .map((x) => x.w);
}

/** Words worth remembering for typo tolerance: 4 to 40 characters with at least one letter. */
export function vocabularyOf(document: string): string[] {
  return [...new Set(words(document).filter((w) => w.length >= 4 && w.length <= 40 && /\p{L}/u.test(w)))];
}
