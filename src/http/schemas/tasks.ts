import { Type } from '@sinclair/typebox';
import { TASK_TYPES } from '../../jobs/task.js';
import { DateTime, Nullable, StringEnum } from './common.js';

export const TASK_STATUSES = ['pending', 'started', 'success', 'failure'] as const;

export const TaskResponse = Type.Object(
  {
    id: Type.String(),
    celery_task_id: Type.String({ description: 'Queue delivery id; also accepted by GET /api/tasks/{task_id}' }),
    asset_id: Nullable(Type.String()),
    task_type: StringEnum(TASK_TYPES),
    status: StringEnum(TASK_STATUSES),
    retry_count: Type.Integer(),
    created_at: DateTime(),
    started_at: Nullable(DateTime()),
    completed_at: Nullable(DateTime()),
    result: Nullable(Type.String()),
    error_message: Nullable(Type.String()),
  },
  { $id: 'TaskResponse', title: 'TaskResponse' },
);

