import type { Deps } from '../services/deps.js';
import type { TaskRow } from '../store/tasks.js';

/** Gumnut's `task_type` names (spec §3.19). */
export const TASK_TYPES = [
  'embedding',
  'face_detection',
  'face_clustering',
  'asset_description',
  'reverse_geocoding',
  'video_thumbnail_extract',
  'video_metadata_extract',
  'thumbhash',
  'display_proxy_generation',
  'burst_detection',
  'asset_storage_cleanup',
  'asset_version_storage_cleanup',
  'product_update_subscription',
  'image_quality',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export interface TaskContext {
  deps: Deps;
  task: TaskRow;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/** `skipped` when the subject is gone or the result is already current (handlers are idempotent). */
export type TaskOutcome = { result: string } | 'skipped';

export interface TaskHandler<P = unknown> {
  type: TaskType;
  run(ctx: TaskContext, payload: P): Promise<TaskOutcome>;
}

/** An error that retrying cannot fix (an undecodable file): the task fails at once. */
export class PermanentTaskError extends Error {}
