/** JSON over HTTP for the optional model providers (embeddings, reranker, describer). */

/** A provider failed; `retryable` when trying again later may help (network, 408, 429, 5xx). */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The URL without credentials or query, for messages. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the provider URL';
  }
}

export async function postJson(url: string, body: unknown, options: { apiKey?: string; timeoutMs: number }): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
    throw new ProviderError(`${shown(url)}: ${reason}`, true);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    throw new ProviderError(`${shown(url)} answered ${response.status}: ${text.slice(0, 300)}`, retryable);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError(`${shown(url)} answered with something that is not JSON: ${text.slice(0, 100)}`, false);
  }
}
