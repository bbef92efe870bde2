/** Pure library rules (§1.7). */

/** A library name as stored: trimmed; undefined when nothing but whitespace is left (a 422). */
export function normalizeLibraryName(name: string): string | undefined {
  const trimmed = name.trim();
  return trimmed === '' ? undefined : trimmed;
}
