import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../services/deps.js';
import * as users from '../services/users.js';
import { principalOf } from './auth.js';
import { errorResponses } from './schemas/common.js';

/** §2.19 requires an integer limit; an uncapped account reports the largest exact JSON integer. */
export const NO_STORAGE_LIMIT = Number.MAX_SAFE_INTEGER;

export const userRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/me',
    { schema: { operationId: 'get_current_user', tags: ['users'], response: { 200: Type.Ref('UserResponse'), 401: errorResponses[401] } } },
    async (request) => {
      const u = await users.me(deps, principalOf(request));
      return {
        ...u,
        storage_limit_bytes: u.storage_limit_bytes ?? NO_STORAGE_LIMIT,
        is_active: u.is_active === 1,
        is_superuser: u.is_superuser === 1,
        is_verified: u.is_verified === 1,
      };
    },
  );
};
