import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { TASK_TYPES } from '../jobs/task.js';
import type { Deps } from '../services/deps.js';
import * as tasks from '../services/tasks.js';
import type { TaskRow } from '../store/tasks.js';
import { principalOf } from './auth.js';
import { errorResponses, LibraryIdQuery, StringEnum } from './schemas/common.js';
import { TASK_STATUSES } from './schemas/tasks.js';

const toTaskResponse = (t: TaskRow) => ({
  id: t.id,
  celery_task_id: t.celery_task_id,
  asset_id: t.asset_id,
  task_type: t.task_type,
  status: t.status,
  retry_count: Math.max(0, t.attempts - 1),
  created_at: t.created_at,
  started_at: t.started_at,
  completed_at: t.completed_at,
  result: t.result,
  error_message: t.error_message,
});

const tags = ['tasks'];
const TaskList = Type.Array(Type.Ref('TaskResponse'));
const TaskLimit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

export const taskRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      schema: {
        operationId: 'list_tasks',
        tags,
        querystring: Type.Object({
          library_id: Type.Optional(LibraryIdQuery),
          status: Type.Optional(StringEnum(TASK_STATUSES)),
          task_type: Type.Optional(StringEnum(TASK_TYPES)),
          limit: TaskLimit,
        }),
        response: { 200: TaskList, ...errorResponses },
      },
    },
    async (request) => (await tasks.list(deps, principalOf(request), request.query)).map(toTaskResponse),
  );

  app.get(
    '/:task_id',
    { schema: { operationId: 'get_task_status', tags, params: Type.Object({ task_id: Type.String() }), response: { 200: Type.Ref('TaskResponse'), ...errorResponses } } },
    async (request) => toTaskResponse(await tasks.get(deps, principalOf(request), request.params.task_id)),
  );

  app.get(
    '/asset/:asset_id',
    {
      schema: {
        operationId: 'list_asset_tasks',
        tags,
        params: Type.Object({ asset_id: Type.String() }),
        querystring: Type.Object({ limit: TaskLimit }),
        response: { 200: TaskList, ...errorResponses },
      },
    },
    async (request) => (await tasks.listForAsset(deps, principalOf(request), request.params.asset_id, request.query.limit)).map(toTaskResponse),
  );
};
