import { type Static, type TNull, type TSchema, type TUnion, type TUnsafe, Type } from '@sinclair/typebox';

/**
 * `T | null`. A schema with a type is spelled as OpenAPI 3.0 does (`nullable: true`), which
 * fast-json-stringify writes directly; for `anyOf` it runs the validator per value to pick a
 * branch (checking `date-time` formats on the way), which cost a 200-asset page more than building
 * it. References (no siblings allowed beside `$ref`) and enums keep `anyOf [T, null]`.
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> | TUnion<[T, TNull]> {
  const typed = typeof schema.type === 'string' && schema.enum === undefined && schema.const === undefined;
  return typed ? Type.Unsafe<Static<T> | null>({ ...schema, nullable: true }) : Type.Union([schema, Type.Null()]);
}

export const DateTime = (options: { description?: string } = {}) => Type.String({ format: 'date-time', ...options });

export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'Page size (1-200)' });
export const StartingAfterId = Type.String({ description: 'Cursor: the id of the last item of the previous page' });
export const LibraryIdQuery = Type.String({ description: 'Library to operate on; optional when you have exactly one live library' });

export const ErrorResponse = Type.Object({ detail: Type.String() }, { $id: 'ErrorResponse', title: 'ErrorResponse' });

/** 401/403 also carry `error` and `message` (spec §2.1); the serializer drops undeclared keys. */
export const AuthErrorResponse = Type.Object(
  { detail: Type.String(), error: Type.String(), message: Type.String() },
  { $id: 'AuthErrorResponse', title: 'AuthErrorResponse' },
);

export const ValidationError = Type.Object(
  {
    loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
    msg: Type.String(),
    type: Type.String(),
    input: Type.Optional(Type.Unknown()),
    ctx: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { $id: 'ValidationError', title: 'ValidationError' },
);

export const HTTPValidationError = Type.Object(
  { detail: Type.Array(Type.Ref('ValidationError')) },
  { $id: 'HTTPValidationError', title: 'HTTPValidationError' },
);

export const Ack = Type.Object({}, { description: 'Empty acknowledgement' });

export const CursorPage = <T extends TSchema>(item: T, title: string) =>
  Type.Object({ data: Type.Array(item), has_more: Type.Boolean() }, { title });

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const errorResponses = {
  401: Type.Ref('AuthErrorResponse'),
  404: Type.Ref('ErrorResponse'),
  422: Type.Ref('HTTPValidationError'),
};

export const sharedSchemas = [ErrorResponse, AuthErrorResponse, ValidationError, HTTPValidationError];

/** A string enum as plain JSON Schema `enum`, so a bad value reports FastAPI's `enum` error. */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
