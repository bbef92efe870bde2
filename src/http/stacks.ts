import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../services/deps.js';
import * as stacks from '../services/stacks.js';
import type { StackView } from '../services/stacks.js';
import { principalOf } from './auth.js';
import { Ack, errorResponses, LibraryIdQuery, Limit, StartingAfterId, StringEnum } from './schemas/common.js';
import { STACK_ORIGINS } from './schemas/stacks.js';

const tags = ['stacks'];
const StackRef = Type.Ref('StackResponse');
const StackParams = Type.Object({ stack_id: Type.String({ description: "Stack ID (with 'asset_stack_' prefix)" }) });
/** Create and add forward whole selections unchunked (§4 item 17); removal is capped at 200 (§3.5). */
const MemberIds = Type.Array(Type.String(), { minItems: 1, maxItems: 5000 });
const responses = { ...errorResponses, 409: Type.Ref('ErrorResponse') };

const toStackResponse = ({ stack, asset_count }: StackView) => ({
  id: stack.id,
  asset_count,
  origin: stack.origin,
  created_at: stack.created_at,
  updated_at: stack.updated_at,
  primary_asset_id: stack.primary_asset_id,
});

/** §1.15: stacks (burst groups). Members are listed through GET /api/assets?stack_id=. */
export const stackRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  // Edits are judged against the stacks as they were when the request arrived (before its body
  // is read), so two edits in flight at once cannot both apply: the later commit gets 409.
  const arrivedAt = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET') arrivedAt.set(request, await stacks.changePoint(deps));
  });
  const since = (request: FastifyRequest) => arrivedAt.get(request);

  app.get(
    '/',
    {
      schema: {
        operationId: 'list_stacks',
        tags,
        querystring: Type.Object({
          ids: Type.Optional(Type.Array(Type.String(), { maxItems: 200 })),
          library_id: Type.Optional(LibraryIdQuery),
          limit: Limit,
          origin: Type.Optional(StringEnum(STACK_ORIGINS)),
          primary_asset_id: Type.Optional(Type.String({ description: 'The stack that pins this asset as its cover' })),
          starting_after_id: Type.Optional(StartingAfterId),
        }),
        response: { 200: Type.Object({ data: Type.Array(StackRef), has_more: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const page = await stacks.list(deps, principalOf(request), request.query);
      return { data: page.data.map(toStackResponse), has_more: page.has_more };
    },
  );

  app.get('/:stack_id', { schema: { operationId: 'get_stack', tags, params: StackParams, response: { 200: StackRef, ...errorResponses } } }, async (request) =>
    toStackResponse(await stacks.get(deps, principalOf(request), request.params.stack_id)),
  );

  app.post(
    '/',
    {
      schema: {
        operationId: 'create_stack',
        tags,
        body: Type.Object({
          asset_ids: Type.Array(Type.String(), { minItems: 2, maxItems: 5000 }),
          primary_asset_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          library_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        }),
        response: { 200: StackRef, ...responses },
      },
    },
    async (request) => {
      const { asset_ids, primary_asset_id, library_id } = request.body;
      return toStackResponse(await stacks.create(deps, principalOf(request), { asset_ids, primary_asset_id, library_id: library_id ?? undefined }, since(request)));
    },
  );

  app.patch(
    '/:stack_id',
    {
      schema: {
        operationId: 'set_stack_cover',
        tags,
        params: StackParams,
        body: Type.Object({ primary_asset_id: Type.String({ description: 'A live member to pin as the cover' }) }),
        response: { 200: StackRef, ...responses },
      },
    },
    async (request) => toStackResponse(await stacks.setCover(deps, principalOf(request), request.params.stack_id, request.body.primary_asset_id, since(request))),
  );

  app.delete('/:stack_id', { schema: { operationId: 'delete_stack', tags, params: StackParams, response: { 200: Ack, ...responses } } }, async (request) => {
    await stacks.dissolve(deps, principalOf(request), request.params.stack_id, since(request));
    return {};
  });

  app.post(
    '/:stack_id/assets',
    { schema: { operationId: 'add_assets_to_stack', tags, params: StackParams, body: Type.Object({ asset_ids: MemberIds }), response: { 200: StackRef, ...responses } } },
    async (request) => toStackResponse(await stacks.addAssets(deps, principalOf(request), request.params.stack_id, request.body.asset_ids, since(request))),
  );

  app.delete(
    '/:stack_id/assets',
    {
      config: { action: 'write' },
      schema: {
        operationId: 'remove_assets_from_stack',
        tags,
        params: StackParams,
        body: Type.Object({ asset_ids: Type.Array(Type.String(), { maxItems: 200 }) }),
        response: { 200: Ack, ...responses },
      },
    },
    async (request) => {
      await stacks.removeAssets(deps, principalOf(request), request.params.stack_id, request.body.asset_ids, since(request));
      return {};
    },
  );
};
