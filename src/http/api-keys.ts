import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ACTIONS, parseActions } from '../domain/api-key-grants.js';
import * as apiKeys from '../services/api-keys.js';
import type { Deps } from '../services/deps.js';
import type { ApiKeyRow } from '../store/api-keys.js';
import { NotFound, unprocessable } from './errors.js';
import { sessionOnly } from './first-party.js';
import { DateTime, errorResponses, Nullable, StringEnum } from './schemas/common.js';

const tags = ['api-keys'];
const SCOPE_MODES = ['all_libraries', 'selected_libraries'] as const;
const MAX_LIBRARIES = 200;
const responses = { ...errorResponses, 403: Type.Ref('AuthErrorResponse') };

const ApiKeyFields = {
  id: Type.String(),
  created_at: DateTime(),
  is_active: Type.Boolean(),
  name: Nullable(Type.String()),
  last_used_at: Nullable(DateTime()),
  actions: Nullable(Type.Array(StringEnum(ACTIONS))),
  library_scope_mode: Nullable(StringEnum(SCOPE_MODES)),
  selected_library_count: Type.Optional(Type.Integer({ description: 'Only for selected_libraries' })),
};
const ApiKeyResponse = Type.Object(ApiKeyFields, { title: 'APIKeyResponse' });

const KeyParams = Type.Object({ key_id: Type.String({ description: "API key ID (with 'apikey_' prefix)" }) });

/** §2.18. */
function toResponse(row: ApiKeyRow) {
  const selected = row.library_scope_mode === 'selected_libraries' ? (JSON.parse(row.library_ids ?? '[]') as string[]) : null;
  return {
    id: row.id,
    created_at: row.created_at,
    is_active: row.is_active === 1,
    name: row.name,
    last_used_at: row.last_used_at,
    actions: JSON.parse(row.actions) as string[],
    library_scope_mode: row.library_scope_mode,
    ...(selected ? { selected_library_count: selected.length } : {}),
  };
}

const nonBlankName = (name: string) => {
  const trimmed = name.trim();
  if (!trimmed) throw unprocessable(['body', 'name'], 'String should have at least 1 character', 'string_too_short', name);
  return trimmed;
};

/** §1.6 `/api/api-keys/`: the owner's keys, for a first-party session only (API keys get 403). */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  // Before the body is validated: an API key gets its 403 whatever it sent.
  app.addHook('preValidation', async (request) => {
    sessionOnly(request);
  });

  app.post(
    '/api-keys/',
    {
      schema: {
        operationId: 'create_api_key',
        tags,
        body: Type.Object(
          {
            name: Type.String({ description: 'Descriptive name' }),
            actions: Type.Array(Type.String(), { description: 'Subset of read, write, delete, delete_permanently; read is required with any other' }),
            library_scope_mode: StringEnum(SCOPE_MODES),
            library_ids: Type.Optional(Nullable(Type.Array(Type.String(), { description: `Required (1-${MAX_LIBRARIES}) with selected_libraries, forbidden otherwise` }))),
          },
          { title: 'APIKeyCreate' },
        ),
        response: { 200: Type.Object({ ...ApiKeyFields, api_key: Type.String({ description: 'The key itself, shown only now' }) }, { title: 'APIKeyCreateResponse' }), ...responses },
      },
    },
    async (request) => {
      const body = request.body;
      const name = nonBlankName(body.name);
      const parsed = parseActions(body.actions);
      if ('error' in parsed) throw unprocessable(['body', 'actions'], parsed.error, 'value_error', body.actions);
      const ids = body.library_ids ?? null;
      if (body.library_scope_mode === 'selected_libraries' && (ids === null || ids.length < 1 || ids.length > MAX_LIBRARIES)) {
        throw unprocessable(['body', 'library_ids'], `selected_libraries needs 1 to ${MAX_LIBRARIES} library ids`, 'value_error', ids);
      }
      if (body.library_scope_mode === 'all_libraries' && ids !== null) {
        throw unprocessable(['body', 'library_ids'], 'library_ids is only allowed with selected_libraries', 'value_error', ids);
      }
      const made = await apiKeys.createForOwner(deps, { name, actions: parsed.actions, libraryIds: ids === null ? null : [...new Set(ids)] });
      if ('error' in made) throw unprocessable(['body', 'library_ids'], made.error, 'value_error', ids);
      return { ...toResponse(made.row), api_key: made.raw };
    },
  );

  app.get('/api-keys/', { schema: { operationId: 'list_api_keys', tags, response: { 200: Type.Array(ApiKeyResponse), ...responses } } }, async (request) => {
    return (await apiKeys.listForOwner(deps)).map(toResponse);
  });

  app.patch(
    '/api-keys/:key_id',
    { schema: { operationId: 'update_api_key', tags, params: KeyParams, body: Type.Object({ name: Type.String() }, { title: 'APIKeyUpdate' }), response: { 200: ApiKeyResponse, ...responses } } },
    async (request) => {
      const row = await apiKeys.rename(deps, request.params.key_id, nonBlankName(request.body.name));
      if (!row) throw new NotFound('API key not found');
      return toResponse(row);
    },
  );

  app.delete('/api-keys/:key_id', { schema: { operationId: 'delete_api_key', tags, params: KeyParams, response: { 200: Type.Object({}), ...responses } } }, async (request) => {
    if (!(await apiKeys.revoke(deps, request.params.key_id))) throw new NotFound('API key not found');
    return {};
  });
};
