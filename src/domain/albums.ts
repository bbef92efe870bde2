/** Pure album rules (§1.10, §2.10). */

/** Name of an album created without one (the spec leaves it open; AlbumResponse.name is required). */
export const DEFAULT_ALBUM_NAME = 'Untitled';

export interface AdditionOutcome {
  added_assets: string[];
  duplicate_assets: string[];
  not_found_assets: string[];
}

/**
 * The answer of POST /api/albums/{id}/assets: each distinct requested id lands in exactly one
 * list, in request order. `live` = live assets of the album's library; `linked` = those already
 * in the album. Anything else (unknown, another library's, trashed) is not found.
 */
export function classifyAdditions(requested: readonly string[], live: ReadonlySet<string>, linked: ReadonlySet<string>): AdditionOutcome {
  const out: AdditionOutcome = { added_assets: [], duplicate_assets: [], not_found_assets: [] };
  for (const id of new Set(requested)) {
    if (!live.has(id)) out.not_found_assets.push(id);
    else if (linked.has(id)) out.duplicate_assets.push(id);
    else out.added_assets.push(id);
  }
  return out;
}

/**
 * §2.10 cover: the explicit cover while it is a live member, else the server's choice (the
 * newest live member by capture time), else null when the album has no live member.
 */
export function effectiveCover(explicit: string | null, liveMembers: ReadonlySet<string>, newestLiveMember: string | null): string | null {
  if (explicit !== null && liveMembers.has(explicit)) return explicit;
  return newestLiveMember;
}

/** How each album's live count moves when these links' assets join (+1) or leave (-1) the live set. */
export function countDeltas(links: readonly { album_id: string }[], sign: 1 | -1, into = new Map<string, number>()): Map<string, number> {
  for (const link of links) into.set(link.album_id, (into.get(link.album_id) ?? 0) + sign);
  return into;
}
