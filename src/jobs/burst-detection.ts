import { BURST_DEFAULTS, detectBursts, planBurstStacks, type Shot, wallClockMs } from '../domain/bursts.js';
import { newId } from '../domain/ids.js';
import { isNoop } from '../domain/stacks.js';
import { Conflict } from '../http/errors.js';
import { applyPlan, inTransaction, snapshotOf } from '../services/stacks.js';
import * as libraryStore from '../store/libraries.js';
import * as stackStore from '../store/stacks.js';
import type { NewTask } from '../store/tasks.js';
import type { TaskHandler } from './task.js';

export interface BurstDetectionPayload {
  library_id: string;
}

/** Uploads of one burst arrive within seconds: wait this long so one run sees them all. */
export const BURST_SETTLE_MS = 10_000;
const ATTEMPTS = 3;

/** One pending run per library at a time; every upload with a known capture time asks for one. */
export const burstTask = (libraryId: string, now: string): NewTask => ({
  task_type: 'burst_detection',
  library_id: libraryId,
  payload: { library_id: libraryId } satisfies BurstDetectionPayload,
  key: `burst_detection:${libraryId}`,
  runAt: new Date(Date.parse(now) + BURST_SETTLE_MS).toISOString(),
});

/**
 * Groups the library's photos into `auto_burst` stacks (§3.14, rule in domain/bursts.ts).
 * Photos in `user` stacks are left out entirely, so user stacks are never touched. The plan is
 * written with the same version guards as user edits: if a user edit lands meanwhile, the run
 * starts over from fresh data.
 */
export const burstDetection: TaskHandler<BurstDetectionPayload> = {
  type: 'burst_detection',
  async run({ deps }, { library_id }) {
    for (let attempt = 1; ; attempt++) {
      const library = await libraryStore.findById(deps.db, library_id);
      if (!library || library.trashed_at !== null) return 'skipped';
      const rows = await stackStore.burstCandidates(deps.db, library_id);
      const shots: Shot[] = rows
        .filter((r) => r.stack_origin !== 'user')
        .map((r) => ({ id: r.id, make: r.make, model: r.model, time: Number(r.capture_known) === 1 ? wallClockMs(r.local_wall) : null, autoStackId: r.auto_stack_id }));
      const bursts = detectBursts(shots, BURST_DEFAULTS);
      const auto = await stackStore.listAuto(deps.db, library_id);
      const snapshot = await snapshotOf(deps.db, auto, rows);
      const plan = planBurstStacks(bursts, [...snapshot.stacks.values()], snapshot.stackOf, () => newId('asset_stack'));
      const summary = `${bursts.length} burst${bursts.length === 1 ? '' : 's'} among ${shots.length} photos`;
      if (isNoop(plan)) return { result: `${summary}; no change` };
      try {
        await inTransaction(deps, (trx) => applyPlan(trx, deps, library_id, plan, deps.clock().toISOString()));
        return { result: `${summary}; created ${plan.creates.length}, updated ${plan.updates.length}, dissolved ${plan.deletes.length} stacks, moved ${plan.moves.length} photos` };
      } catch (err) {
        if (!(err instanceof Conflict) || attempt >= ATTEMPTS) throw err;
      }
    }
  },
};
