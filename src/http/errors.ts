import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** One catalogue of the errors services raise; each knows its status and body (spec §2.1, §3.9). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { detail: this.message };
  }
}

export class BadRequest extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

export class Unauthorized extends HttpError {
  constructor(message = 'Invalid or expired token') {
    super(401, message, { 'www-authenticate': 'Bearer' });
  }
  override body() {
    return { detail: this.message, error: 'unauthorized', message: this.message };
  }
}

export class Forbidden extends HttpError {
  constructor(message = 'Insufficient permissions for this operation') {
    super(403, message);
  }
  override body() {
    return { detail: this.message, error: 'forbidden', message: this.message };
  }
}

export class NotFound extends HttpError {
  constructor(message = 'Not Found') {
    super(404, message);
  }
}

export class Conflict extends HttpError {
  /** `retry: false` marks conflicts that retrying unchanged cannot resolve. */
  constructor(message: string, retry: boolean) {
    super(409, message, retry ? {} : { 'x-should-retry': 'false' });
  }
}

export class InsufficientStorage extends HttpError {
  constructor(message: string) {
    super(507, message);
  }
}

/** The caller sent too many requests of a kind (§3.1: 429 with Retry-After, which the SDKs honour). */
export class TooManyRequests extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, message, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** A service we depend on (a model provider) failed or is down: 503, try again later. */
export class Unavailable extends HttpError {
  constructor(message: string, retryAfterSeconds = 30) {
    super(503, message, { 'retry-after': String(retryAfterSeconds) });
  }
}

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** 422 in FastAPI's HTTPValidationError shape, for checks a schema cannot express. */
export class Unprocessable extends HttpError {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue | ValidationIssue[]) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(422, list.map((i) => i.msg).join('; '));
    this.issues = list;
  }
  override body() {
    return { detail: this.issues };
  }
}

export function unprocessable(loc: (string | number)[], msg: string, type = 'value_error', input?: unknown): Unprocessable {
  return new Unprocessable({ loc, msg, type, ...(input === undefined ? {} : { input }) });
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, any>;
  message?: string;
}

const PART_LOC: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

function typeIssue(expected: string): { type: string; msg: string } {
  switch (expected) {
    case 'integer':
      return { type: 'int_parsing', msg: 'Input should be a valid integer' };
    case 'number':
      return { type: 'float_parsing', msg: 'Input should be a valid number' };
    case 'boolean':
      return { type: 'bool_parsing', msg: 'Input should be a valid boolean' };
    case 'string':
      return { type: 'string_type', msg: 'Input should be a valid string' };
    case 'array':
      return { type: 'list_type', msg: 'Input should be a valid list' };
    case 'object':
      return { type: 'model_type', msg: 'Input should be a valid dictionary or object' };
    default:
      return { type: `${expected}_type`, msg: `Input should be ${expected}` };
  }
}

function describe(e: AjvError): { type: string; msg: string; ctx?: Record<string, unknown>; extra?: string } {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { type: 'missing', msg: 'Field required', extra: p.missingProperty };
    case 'additionalProperties':
      return { type: 'extra_forbidden', msg: 'Extra inputs are not permitted', extra: p.additionalProperty };
    case 'type':
      return typeIssue(String(p.type).split(',')[0]);
    case 'minimum':
      return { type: 'greater_than_equal', msg: `Input should be greater than or equal to ${p.limit}`, ctx: { ge: p.limit } };
    case 'exclusiveMinimum':
      return { type: 'greater_than', msg: `Input should be greater than ${p.limit}`, ctx: { gt: p.limit } };
    case 'maximum':
      return { type: 'less_than_equal', msg: `Input should be less than or equal to ${p.limit}`, ctx: { le: p.limit } };
    case 'exclusiveMaximum':
      return { type: 'less_than', msg: `Input should be less than ${p.limit}`, ctx: { lt: p.limit } };
    case 'minLength':
      return { type: 'string_too_short', msg: `String should have at least ${p.limit} character${p.limit === 1 ? '' : 's'}`, ctx: { min_length: p.limit } };
    case 'maxLength':
      return { type: 'string_too_long', msg: `String should have at most ${p.limit} characters`, ctx: { max_length: p.limit } };
    case 'minItems':
      return { type: 'too_short', msg: `List should have at least ${p.limit} item${p.limit === 1 ? '' : 's'} after validation`, ctx: { min_length: p.limit } };
    case 'maxItems':
      return { type: 'too_long', msg: `List should have at most ${p.limit} items after validation`, ctx: { max_length: p.limit } };
    case 'enum':
      return {
        type: 'enum',
        msg: `Input should be ${(p.allowedValues as unknown[]).map((v) => `'${v}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
        ctx: { expected: (p.allowedValues as unknown[]).map((v) => `'${v}'`).join(', ') },
      };
    case 'const':
      return { type: 'literal_error', msg: `Input should be '${p.allowedValue}'` };
    case 'format':
      return p.format === 'date-time'
        ? { type: 'datetime_from_date_parsing', msg: 'Input should be a valid datetime or date' }
        : { type: 'value_error', msg: `Input should be a valid ${p.format}` };
    case 'pattern':
      return { type: 'string_pattern_mismatch', msg: `String should match pattern '${p.pattern}'`, ctx: { pattern: p.pattern } };
    default:
      return { type: 'value_error', msg: e.message ?? 'Invalid value' };
  }
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let v: any = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[seg];
  }
  return v;
}

/**
 * AJV errors → FastAPI's `{detail: [{loc, msg, type, input?, ctx?}]}`. The branch errors of one
 * `anyOf` (every nullable field has one) describe one field, so only the first error of the
 * first failing location is reported.
 */
export function validationIssues(errors: AjvError[], part: string, source: unknown): ValidationIssue[] {
  const meaningful = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const chosen = meaningful.find((e) => e.keyword !== 'type' || !meaningful.some((o) => o.instancePath === e.instancePath && o.keyword !== 'type' && o.keyword !== 'null')) ?? meaningful[0] ?? errors[0];
  if (!chosen) return [{ loc: [PART_LOC[part] ?? part], msg: 'Invalid request', type: 'value_error' }];
  const path = chosen.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const d = describe(chosen);
  const loc = [PART_LOC[part] ?? part, ...path, ...(d.extra ? [d.extra] : [])];
  const input = chosen.keyword === 'required' ? valueAt(source, path) : valueAt(source, loc.slice(1));
  return [{ loc, msg: d.msg, type: d.type, ...(input === undefined ? {} : { input }), ...(d.ctx ? { ctx: d.ctx } : {}) }];
}

/** The root error handler: our errors and validation failures keep their shape; nothing else leaks. */
export function handleError(error: FastifyError & { validation?: AjvError[]; validationContext?: string }, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) {
    return reply.code(error.statusCode).headers(error.headers).send(error.body());
  }
  if (error.validation) {
    const part = error.validationContext ?? 'body';
    const source = part === 'body' ? request.body : part === 'querystring' ? request.query : part === 'params' ? request.params : request.headers;
    return reply.code(422).send({ detail: validationIssues(error.validation, part, source) });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return reply.code(422).send({ detail: [{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid', ctx: { error: error.message } }] });
  }
  if (error.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return reply.code(422).send({ detail: [{ loc: ['body'], msg: error.message, type: 'value_error' }] });
  }
  // The client went away mid-upload: nothing to answer, and nothing went wrong on our side.
  if (error.code === 'ERR_STREAM_PREMATURE_CLOSE' || request.raw.aborted || request.raw.destroyed) {
    request.log.info({ err: error }, 'client closed the request');
    return reply.code(400).send({ detail: 'Request aborted by the client' });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.code(status).send({ detail: error.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ detail: 'Internal Server Error' });
}
