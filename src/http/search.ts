import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { discard } from '../blobs/temp-file.js';
import type { Deps } from '../services/deps.js';
import * as search from '../services/search.js';
import { includesOf, needsMetadata, toAssetResponse } from './asset-response.js';
import { principalOf } from './auth.js';
import { validationIssues, Unprocessable } from './errors.js';
import { mediaUrlContext } from './media-urls.js';
import { IncludeQuery } from './schemas/assets.js';
import { errorResponses } from './schemas/common.js';
import { SearchFields } from './schemas/search.js';
import { receiveForm, type ReceivedForm } from './upload-form.js';
import { validatorCompiler } from './validation.js';

const tags = ['search'];
const response = { 200: Type.Ref('SearchResponse'), ...errorResponses, 503: Type.Ref('ErrorResponse') };
const SearchQuery = Type.Object({ ...SearchFields, include: Type.Optional(IncludeQuery) });
const SearchForm = Type.Object(SearchFields);
type SearchParams = (typeof SearchForm)['static'];

/** The legacy `captured_*` names (§1.1) fill the current ones when those are absent. */
function toInput(p: SearchParams): search.SearchInput {
  return {
    query: p.query,
    album_id: p.album_id,
    person_ids: p.person_ids,
    local_datetime_after: p.local_datetime_after ?? p.captured_after,
    local_datetime_before: p.local_datetime_before ?? p.captured_before,
    bbox: p.bbox,
    center: p.center,
    radius: p.radius,
    library_id: p.library_id,
    limit: p.limit,
    page: p.page,
  };
}

/** The form's text fields, checked and coerced by the same rules as the GET query string. */
const checkForm = (() => {
  const validate = validatorCompiler({ schema: SearchForm, httpPart: 'querystring', method: 'POST', url: '/api/search' }) as unknown as ((data: unknown) => boolean) & { errors?: unknown[] };
  const arrays = new Set(Object.entries(SearchForm.properties).filter(([, s]) => (s as { type?: string }).type === 'array').map(([k]) => k));
  return (fields: ReceivedForm['fields']): SearchParams => {
    const data: Record<string, unknown> = {};
    for (const [name, values] of Object.entries(fields)) data[name] = arrays.has(name) ? values : values[values.length - 1];
    if (!validate(data)) throw new Unprocessable(validationIssues((validate.errors ?? []) as Parameters<typeof validationIssues>[0], 'body', data));
    return data as SearchParams;
  };
})();

export const searchRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/',
    { schema: { operationId: 'search_assets', tags, summary: 'Search assets by text and filters', querystring: SearchQuery, response } },
    async (request) => {
      const include = includesOf(request.query.include, deps.config);
      const hits = await search.search(deps, principalOf(request), toInput(request.query), { withMetadata: needsMetadata(include), part: 'query', log: request.log });
      const urls = mediaUrlContext(request, deps);
      return { data: hits.map((h) => ({ asset: toAssetResponse(h, include, urls), distance: h.distance })) };
    },
  );

  app.post(
    '/',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'search_assets_by_image',
        tags,
        summary: 'Search assets by an example image, text and filters',
        consumes: ['multipart/form-data'],
        querystring: Type.Object({ include: Type.Optional(IncludeQuery) }),
        response,
      },
    },
    async (request) => {
      const include = includesOf(request.query.include, deps.config);
      const form = await receiveForm(request, deps.tmpDir, 'image');
      try {
        const input = toInput(checkForm(form.fields));
        const image = form.file ? { path: form.file.path, fileName: form.fileName, sha256: form.file.sha256 } : undefined;
        const hits = await search.search(deps, principalOf(request), input, { image, withMetadata: needsMetadata(include), part: 'body', log: request.log });
        const urls = mediaUrlContext(request, deps);
        return { data: hits.map((h) => ({ asset: toAssetResponse(h, include, urls), distance: h.distance })) };
      } finally {
        await discard(form.file);
      }
    },
  );
};
