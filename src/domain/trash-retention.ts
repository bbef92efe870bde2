/** When trashed things are purged for good (§1.7, §3.13). */

export const DEFAULT_TRASH_RETENTION_DAYS = 90;

const DAY_MS = 86_400_000;

/** Things trashed before this instant (ISO UTC text, comparable with `trashed_at`) are due for purge. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
}

/** A trashed library is drained once its window has passed, or at once after DELETE. */
export function isLibraryPurgeDue(library: { trashed_at: string | null; purge_requested_at: string | null }, cutoff: string): boolean {
  if (library.trashed_at === null) return false;
  return library.purge_requested_at !== null || library.trashed_at < cutoff;
}
