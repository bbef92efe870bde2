import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Deps } from '../services/deps.js';
import * as taskStore from '../store/tasks.js';
import type { TaskRow } from '../store/tasks.js';
import { runMaintenance } from './maintenance.js';
import { PermanentTaskError, type TaskContext, type TaskHandler } from './task.js';

export interface WorkerOptions {
  concurrency: number;
  /** How long a claim is held without a heartbeat before another worker may take the task. */
  leaseMs?: number;
  pollMs?: number;
  /** How often the maintenance sweep (trash purge) runs while idle; a sweep that did something reruns at once. */
  maintenanceMs?: number;
  /**
   * Background tasks (priority ≥ BACKGROUND_PRIORITY) wait until this long has passed since the
   * worker last claimed a foreground one, so a bulk import spends the CPU on making photos
   * viewable and the understanding work catches up when uploads pause.
   */
  backgroundAfterMs?: number;
  log?: TaskContext['log'];
}

const silent: TaskContext['log'] = { info() {}, warn() {} };

/** Capped exponential backoff with jitter: ~2 s, 4 s, 8 s … up to 10 minutes. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(600_000, 1000 * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Claims due tasks from the database queue and runs their handlers, `concurrency` at a time.
 * Delivery is at least once: a task whose worker dies is claimed again when its lease expires.
 */
export class Worker {
  readonly id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers: Map<string, TaskHandler<any>>;
  private readonly running = new Map<string, Promise<void>>();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly log: TaskContext['log'];
  private readonly maintenanceMs: number;
  private readonly backgroundAfterMs: number;
  private lastForegroundClaim = -Infinity;
  private lastAbandonedSweep = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private ticking: Promise<void> | undefined;
  private maintaining: Promise<void> | undefined;
  /** Stops a long maintenance sweep (the daily orphan-blob listing) when the worker stops. */
  private stopping = new AbortController();

  constructor(
    private readonly deps: Deps,
    handlers: TaskHandler<any>[],
    private readonly options: WorkerOptions,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.type, h]));
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 1000;
    this.maintenanceMs = options.maintenanceMs ?? 60_000;
    this.backgroundAfterMs = options.backgroundAfterMs ?? 1000;
    this.log = options.log ?? silent;
  }

  private get types(): string[] {
    return [...this.handlers.keys()];
  }

  start(): void {
    this.stopped = false;
    this.stopping = new AbortController();
    this.schedule(0);
    this.heartbeat = setInterval(() => void this.extendLeases(), Math.max(1000, this.leaseMs / 3));
    this.heartbeat.unref();
    this.scheduleMaintenance(0);
  }

  /** Called after a commit that enqueued work, so it starts without waiting for the next poll. */
  nudge(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    clearTimeout(this.maintenanceTimer);
    await this.ticking;
    await this.maintaining;
    await Promise.allSettled(this.running.values());
  }

  /**
   * Runs maintenance sweeps and tasks until neither has anything to do (tests; a one-shot
   * worker). Maintenance errors propagate here, where the periodic loop would only log them.
   */
  async runUntilIdle(): Promise<void> {
    for (;;) {
      let progressed = false;
      while (await runMaintenance(this.deps)) progressed = true;
      await this.drainTasks();
      if (!progressed) return;
    }
  }

  /** Runs until no task of ours is due or running. */
  private async drainTasks(): Promise<void> {
    for (;;) {
      await this.tick();
      if (this.running.size > 0) {
        await Promise.race(this.running.values());
        continue;
      }
      const now = this.deps.clock().toISOString();
      await taskStore.failAbandoned(this.deps.db, now);
      if (!(await taskStore.hasWork(this.deps.db, this.types, now))) return;
      if (!(await this.claimAndRun({ drain: true }))) return;
    }
  }

  private scheduleMaintenance(delay: number): void {
    clearTimeout(this.maintenanceTimer);
    this.maintenanceTimer = setTimeout(() => {
      this.maintaining = runMaintenance(this.deps, this.stopping.signal)
        .then((progressed) => {
          if (progressed) this.nudge();
          return progressed;
        })
        .catch((err: unknown) => {
          this.log.warn({ err }, 'maintenance sweep failed');
          return false;
        })
        .then((progressed) => {
          if (!this.stopped) this.scheduleMaintenance(progressed ? 0 : this.maintenanceMs);
        });
    }, delay);
    this.maintenanceTimer.unref();
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        if (!this.stopped) this.schedule(this.pollMs);
      });
    }, delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      // A task whose holder died on its last attempt is claimable by nobody: close it as failed.
      // Leases last a minute, so once per poll interval is soon enough; a tick runs per finished task.
      if (performance.now() - this.lastAbandonedSweep >= this.pollMs) {
        this.lastAbandonedSweep = performance.now();
        await taskStore.failAbandoned(this.deps.db, this.deps.clock().toISOString());
      }
      await this.claimAndRun();
    } catch (err) {
      this.log.warn({ err }, 'task claim failed');
    }
  }

  /**
   * Claims as many tasks as there are free slots; returns whether it claimed any. Background
   * tasks are left alone while foreground ones keep coming, unless draining.
   */
  private async claimAndRun(options: { drain?: boolean } = {}): Promise<boolean> {
    const free = this.options.concurrency - this.running.size;
    if (free <= 0) return false;
    const now = this.deps.clock();
    // Monotonic: a test clock or a wall-clock step must not hold background work back for good.
    const busy = performance.now() - this.lastForegroundClaim < this.backgroundAfterMs;
    const claimed = await taskStore.claim(this.deps.db, this.deps.dialect, {
      worker: this.id,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + this.leaseMs).toISOString(),
      limit: free,
      types: this.types,
      foregroundOnly: busy && !options.drain,
    });
    if (claimed.some((t) => t.priority < taskStore.BACKGROUND_PRIORITY)) this.lastForegroundClaim = performance.now();
    for (const task of claimed) {
      const run = this.execute(task).finally(() => {
        this.running.delete(task.id);
        if (!this.stopped) this.schedule(0);
      });
      this.running.set(task.id, run);
    }
    return claimed.length > 0;
  }

  private async execute(task: TaskRow): Promise<void> {
    const handler = this.handlers.get(task.task_type)!;
    const ctx: TaskContext = { deps: this.deps, task, log: this.log };
    try {
      const outcome = await handler.run(ctx, JSON.parse(task.payload));
      const result = outcome === 'skipped' ? 'skipped' : outcome.result;
      await taskStore.complete(this.deps.db, task.id, this.id, this.deps.clock().toISOString(), result);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const now = this.deps.clock();
      const retry = !(err instanceof PermanentTaskError) && task.attempts < task.max_attempts;
      const retryAt = retry ? new Date(now.getTime() + backoffMs(task.attempts)).toISOString() : undefined;
      this.log.warn({ err, task: task.id, type: task.task_type, retryAt }, 'task failed');
      await taskStore.fail(this.deps.db, task.id, this.id, now.toISOString(), message, retryAt).catch((e: unknown) => this.log.warn({ err: e }, 'could not record task failure'));
    }
  }

  private async extendLeases(): Promise<void> {
    const leaseUntil = new Date(this.deps.clock().getTime() + this.leaseMs).toISOString();
    await taskStore.extendLease(this.deps.db, [...this.running.keys()], this.id, leaseUntil).catch((err: unknown) => this.log.warn({ err }, 'lease heartbeat failed'));
  }
}
