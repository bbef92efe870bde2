/**
 * Gumnut's `display_label`: the most specific of place_name > sublocation > city > country, then
 * broader context (the city when it was not already chosen, then the state or, without a state,
 * the country). Example: "Golden Gate Bridge, San Francisco, California".
 */

export interface LabelFields {
  place_name?: string | null;
  sublocation?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
}

export function displayLabel(fields: LabelFields): string | null {
  const placeName = present(fields.place_name);
  const sublocation = present(fields.sublocation);
  const city = present(fields.city);
  const state = present(fields.state);
  const country = present(fields.country);

  const parts: string[] = [];
  // Skips a part that repeats one already shown ("Singapore, Singapore", "Madrid, Madrid") and
  // reports whether it was added, so that the country can stand in for a repeated state.
  const add = (part: string | undefined): boolean => {
    if (part === undefined || parts.some((p) => sameName(p, part))) return false;
    parts.push(part);
    return true;
  };

  const primary = placeName ?? sublocation ?? city;
  if (primary !== undefined) {
    add(primary);
    add(city);
    if (!add(state)) add(country);
  } else {
    // Gumnut's list has no state, but "California, United States" says more than the bare
    // country that the literal rule would keep.
    add(state);
    add(country);
  }
  return parts.length === 0 ? null : parts.join(', ');
}

function present(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, 'en', { sensitivity: 'accent' }) === 0;
}
