/**
 * Eager argument checks, in the manner of sharp's `lib/is.js`: a bad argument is a programming
 * error, reported at once as a TypeError that names the parameter, what was expected and what
 * arrived.
 */

export function invalidParameterError(name: string, expected: string, actual: unknown): TypeError {
  return new TypeError(
    `Expected ${expected} for ${name} of type ${describeType(actual)} with value ${describeValue(actual)}`,
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

export function inRange(value: number, min: number, max: number): boolean {
  return value >= min && value <= max;
}

export function assertPath(name: string, value: unknown): asserts value is string {
  if (!isNonEmptyString(value) || value.includes('\0')) {
    throw invalidParameterError(name, 'a non-empty file path without NUL characters', value);
  }
}

/** `value` must be undefined or a plain object (its fields are checked by the caller). */
export function assertOptions(name: string, value: unknown): void {
  if (value !== undefined && !isPlainObject(value)) throw invalidParameterError(name, 'a plain object', value);
}

export function assertIntegerInRange(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (!isInteger(value) || !inRange(value, min, max)) {
    throw invalidParameterError(name, `an integer between ${min} and ${max}`, value);
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    // fall through
  }
  return String(value);
}
