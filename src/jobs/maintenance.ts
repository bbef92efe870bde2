import { retentionCutoff } from '../domain/trash-retention.js';
import type { Deps } from '../services/deps.js';
import { sweepOrphanBlobs } from '../services/orphan-blobs.js';
import { purgeExpiredAssets, purgeLibraryStep } from '../services/purge.js';
import * as libraryStore from '../store/libraries.js';
import * as settings from '../store/settings.js';

/**
 * Periodic upkeep that is not a task: the Worker runs it every minute and in `runUntilIdle`. It
 * is deliberately not a queue row: `/api/tasks` shows only the task types of §3.19, and the work
 * it starts is visible there as the `asset_storage_cleanup` tasks it enqueues.
 *
 * One sweep purges what the retention window (EUCALYPT_TRASH_RETENTION_DAYS) or a library
 * DELETE made due, `PURGE_BATCH` assets per transaction, up to `SWEEP_BUDGET` assets, and says
 * whether it did anything, so the caller sweeps again at once rather than in a minute. Once a
 * day one worker also lists the blob store for blobs no row refers to (services/orphan-blobs.ts).
 */
export const PURGE_BATCH = 200;
export const SWEEP_BUDGET = 10 * PURGE_BATCH;
/** The orphan-blob sweep lists every blob, so it runs daily; a blob younger than the grace may await its commit. */
export const ORPHAN_SWEEP_INTERVAL_MS = 24 * 3_600_000;
export const ORPHAN_GRACE_MS = 3_600_000;

export async function runMaintenance(deps: Deps, signal?: AbortSignal): Promise<boolean> {
  const cutoff = retentionCutoff(deps.clock(), deps.config.trashRetentionDays);
  let budget = SWEEP_BUDGET;
  let progressed = false;
  while (budget > 0) {
    const n = await purgeExpiredAssets(deps, cutoff, Math.min(PURGE_BATCH, budget));
    if (n === 0) break;
    budget -= n;
    progressed = true;
  }
  for (const library of await libraryStore.listPurgeDue(deps.db, cutoff)) {
    while (budget > 0) {
      const step = await purgeLibraryStep(deps, library.id, cutoff, Math.min(PURGE_BATCH, budget));
      if (step === 'progress') {
        budget -= PURGE_BATCH;
        progressed = true;
        continue;
      }
      if (step === 'removed') progressed = true;
      break;
    }
  }
  const now = deps.clock();
  if (await settings.claimPeriodic(deps.db, 'orphan_blob_sweep_at', now, ORPHAN_SWEEP_INTERVAL_MS)) {
    await sweepOrphanBlobs(deps, new Date(now.getTime() - ORPHAN_GRACE_MS), signal);
  }
  return progressed;
}
