import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { parseIsoDateTime } from '../domain/capture-time.js';

/**
 * One AJV per HTTP part. Query strings and paths arrive as text, so they are coerced; JSON bodies
 * are not, because coercion would turn an explicit `null` into `0` or `""` and PATCH
 * distinguishes null (clear) from a value.
 */
function buildAjv(options: Options): Ajv {
  const ajv = new Ajv({ strict: false, useDefaults: true, removeAdditional: false, allErrors: false, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  // Gumnut accepts naive and aware datetimes alike (§3.8); ajv-formats' date-time demands an offset.
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => parseIsoDateTime(s) !== undefined });
  return ajv;
}

const bodyAjv = buildAjv({ coerceTypes: false });
const textAjv = buildAjv({ coerceTypes: 'array' });

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema>; items?: JsonSchema };

/** §0.2: array query parameters come as repeated keys or as one comma-separated value. */
function withCommaLists(schema: JsonSchema, validate: ValidateFunction): ValidateFunction {
  const arrays = Object.entries(schema.properties ?? {})
    .filter(([, s]) => s.type === 'array')
    .map(([name]) => name);
  if (arrays.length === 0) return validate;
  const wrapped = ((data: Record<string, unknown>) => {
    for (const name of arrays) {
      const value = data?.[name];
      if (value === undefined) continue;
      const list = Array.isArray(value) ? value : [value];
      data[name] = list.flatMap((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : [v]));
    }
    const ok = validate(data);
    wrapped.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  return wrapped;
}

export const NUL_MESSAGE = 'Text must not contain the NUL character (\\u0000)';

/** The path of the first string (or key) holding U+0000, which PostgreSQL text cannot store. */
function nulPath(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return path;
    const found = nulPath(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** Rejects NUL in every part on both databases alike, instead of a PostgreSQL-only 500. */
function rejectingNul(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown) => {
    const path = nulPath(data);
    if (path) {
      const instancePath = path.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
      wrapped.errors = [{ keyword: 'nul', instancePath, schemaPath: '#', params: {}, message: NUL_MESSAGE }];
      return false;
    }
    const ok = validate(data);
    wrapped.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  return wrapped;
}

export const validatorCompiler: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return rejectingNul(bodyAjv.compile(schema));
  const validate = rejectingNul(textAjv.compile(schema));
  return httpPart === 'querystring' ? withCommaLists(schema, validate) : validate;
};
