import { retentionCutoff } from '../domain/trash-retention.js';
import type { Deps } from '../services/deps.js';
import { purgeExpiredAssets, purgeLibraryStep } from '../services/purge.js';
import * as libraryStore from '../store/libraries.js';

/**
 * Periodic upkeep that is not a task: the Worker runs it every minute and in `runUntilIdle`. It
 * is deliberately not a queue row: `/api/tasks` shows only the task types of §3.19, and the work
 * it starts is visible there as the `asset_storage_cleanup` tasks it enqueues.
 *
 * One sweep purges what the retention window (EUCALYPT_TRASH_RETENTION_DAYS) or a library
 * DELETE made due, `PURGE_BATCH` assets per transaction, up to `SWEEP_BUDGET` assets, and says
 * whether it did anything, so the caller sweeps again at once rather than in a minute.
 */
export const PURGE_BATCH = 200;
export const SWEEP_BUDGET = 10 * PURGE_BATCH;

export async function runMaintenance(deps: Deps): Promise<boolean> {
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
  return progressed;
}
