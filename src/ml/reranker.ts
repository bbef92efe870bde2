/**
 * Optional reranker for the head of a fused text search: POST {url} with `{"model", "query",
 * "documents": [...], "top_n"}` (Cohere, Jina, vLLM and Infinity accept this); the answer is
 * `{"results": [{"index", "relevance_score"}]}`, or Hugging Face TEI's `[{"index", "score"}]`.
 * Documents are the assets' search documents. Any failure leaves the fused order (the caller
 * catches).
 */
import type { Config } from '../config.js';
import { ProviderError, postJson } from './http-client.js';

export interface Reranker {
  /** Indexes into `documents`, most relevant first. */
  rerank(query: string, documents: string[]): Promise<number[]>;
}

export function httpReranker(options: { url: string; model?: string; apiKey?: string; timeoutMs?: number }): Reranker {
  return {
    async rerank(query, documents) {
      const body = await postJson(options.url, { model: options.model, query, documents, texts: documents, top_n: documents.length }, { apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 5000 });
      const list = (Array.isArray(body) ? body : (body as { results?: unknown })?.results) as { index?: unknown; relevance_score?: unknown; score?: unknown }[] | undefined;
      if (!Array.isArray(list)) throw new ProviderError('The reranker answered without results', false);
      return list
        .map((r) => ({ index: Number(r.index), score: Number(r.relevance_score ?? r.score) }))
        .filter((r) => Number.isInteger(r.index) && Number.isFinite(r.score))
        .sort((a, b) => b.score - a.score)
        .map((r) => r.index);
    },
  };
}

export function reranker(config: Pick<Config, 'rerankUrl' | 'rerankModel' | 'rerankApiKey'>): Reranker | undefined {
  return config.rerankUrl ? httpReranker({ url: config.rerankUrl, model: config.rerankModel, apiKey: config.rerankApiKey }) : undefined;
}
