/**
 * Errors raised by the engine adapters in `src/media/`.
 *
 * `UndecodableMedia` means "this file's bytes cannot be turned into pixels (or a playable
 * stream) by any engine we have": corrupt, truncated, empty, not media at all, an unsupported
 * codec, or over the pixel limit. It is permanent: a job that meets it fails at once, without
 * retries (STYLE.md §c). Anything else thrown from here is a bug or an environment problem
 * (a missing binary, a full disk) and may be retried.
 */
export class UndecodableMedia extends Error {
  override readonly name = 'UndecodableMedia';
  readonly code = 'UNDECODABLE_MEDIA';
  /** The file that failed, when known. */
  readonly path: string | undefined;

  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.path = options.path;
  }
}

export function isUndecodableMedia(err: unknown): err is UndecodableMedia {
  return err instanceof UndecodableMedia;
}

/**
 * Capture the caller's stack before crossing an async or native boundary (a worker, a child
 * process, libvips), as sharp does in `lib/output.js`. Call it synchronously at the top of the
 * public function, before the first `await`.
 */
export function captureStack(): Error {
  const holder = new Error();
  Error.captureStackTrace?.(holder, captureStack);
  return holder;
}

/**
 * Turn `cause` into an `UndecodableMedia` whose stack is the captured caller's stack. An
 * `UndecodableMedia` passes through unchanged (it already names the problem).
 */
export function undecodable(
  captured: Error,
  message: string,
  path: string | undefined,
  cause?: unknown,
): UndecodableMedia {
  if (cause instanceof UndecodableMedia) return cause;
  const detail = cause instanceof Error ? cause.message.trim().split('\n')[0] : undefined;
  const err = new UndecodableMedia(detail ? `${message}: ${detail}` : message, { path, cause });
  err.stack = `${err.name}: ${err.message}\n${stackFrames(captured)}`;
  return err;
}

/** Re-stamp a non-media error (a bug, a missing binary) with the caller's stack. */
export function withCallerStack<E extends Error>(captured: Error, err: E): E {
  const own = err.stack?.split('\n')[0] ?? `${err.name}: ${err.message}`;
  err.stack = `${own}\n${stackFrames(captured)}`;
  return err;
}

function stackFrames(captured: Error): string {
  return (captured.stack ?? '').split('\n').slice(1).join('\n');
}
