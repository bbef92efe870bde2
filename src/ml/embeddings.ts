/**
 * Embedding providers for the dense search stage: images and text go into one vector space
 * (CLIP-style), so a text query finds pictures. Vectors leave here L2-normalised, so cosine
 * distance is 1 − dot product.
 *
 * - `http`: POST {url} with `{"model", "input": [text or "data:image/jpeg;base64,…"],
 *   "modality": "text" | "image"}`; the answer is `{"data": [{"embedding": [...]}]}` (OpenAI and
 *   Infinity style), `{"embedding": [...]}` or `{"embeddings": [[...]]}`.
 * - `transformers`: a local CLIP model directory (ONNX weights, as exported for transformers.js)
 *   run by @huggingface/transformers with remote models disabled. The package is not bundled.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { ProviderError, postJson } from './http-client.js';

export interface EmbeddingProvider {
  /** Stored with each vector: vectors of another model are never compared with these. */
  readonly model: string;
  embedImage(jpeg: Buffer): Promise<Float32Array>;
  embedText(text: string): Promise<Float32Array>;
}

export function normalise(values: ArrayLike<number>): Float32Array {
  const v = Float32Array.from(values);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm) || norm === 0) throw new ProviderError('The embedding provider returned a zero or non-finite vector', false);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

function vectorOf(body: unknown): number[] {
  const b = body as { data?: { embedding?: unknown }[]; embedding?: unknown; embeddings?: unknown[] };
  const candidate = b?.data?.[0]?.embedding ?? b?.embedding ?? b?.embeddings?.[0];
  if (!Array.isArray(candidate) || candidate.length === 0 || !candidate.every((x) => typeof x === 'number')) {
    throw new ProviderError('The embedding provider answered without an embedding (expected data[0].embedding, embedding or embeddings[0])', false);
  }
  return candidate;
}

export function httpEmbeddings(options: { url: string; model?: string; apiKey?: string; timeoutMs?: number }): EmbeddingProvider {
  const embed = async (modality: 'text' | 'image', input: string) =>
    normalise(vectorOf(await postJson(options.url, { model: options.model, input: [input], modality }, { apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 60_000 })));
  return {
    model: `http:${options.model ?? options.url}`,
    embedImage: (jpeg) => embed('image', `data:image/jpeg;base64,${jpeg.toString('base64')}`),
    embedText: (text) => embed('text', text),
  };
}

/** The slice of @huggingface/transformers (v3) used here; the package is optional. */
interface Transformers {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  AutoProcessor: { from_pretrained(id: string): Promise<(image: unknown) => Promise<Record<string, unknown>>> };
  AutoTokenizer: { from_pretrained(id: string): Promise<(texts: string[], options: object) => Record<string, unknown>> };
  CLIPVisionModelWithProjection: { from_pretrained(id: string): Promise<(inputs: object) => Promise<{ image_embeds: { data: ArrayLike<number> } }>> };
  CLIPTextModelWithProjection: { from_pretrained(id: string): Promise<(inputs: object) => Promise<{ text_embeds: { data: ArrayLike<number> } }>> };
  RawImage: { fromBlob(blob: Blob): Promise<unknown> };
}

const TRANSFORMERS_PACKAGE = '@huggingface/transformers';

export function transformersEmbeddings(modelDir: string): EmbeddingProvider {
  const dir = path.resolve(modelDir);
  let loaded: Promise<{ t: Transformers; processor: any; vision: any; tokenizer: any; text: any }> | undefined;
  const load = () =>
    (loaded ??= (async () => {
      let t: Transformers;
      try {
        t = (await import(TRANSFORMERS_PACKAGE as string)) as Transformers;
      } catch (err) {
        loaded = undefined;
        throw new ProviderError(
          `EUCALYPT_EMBEDDING_PROVIDER=transformers needs the ${TRANSFORMERS_PACKAGE} package, which Eucalypt does not bundle: run \`npm install ${TRANSFORMERS_PACKAGE}\` beside Eucalypt (${(err as Error).message})`,
          false,
        );
      }
      // Never download: the directory must hold the model (config, tokenizer, onnx/*.onnx).
      t.env.allowRemoteModels = false;
      t.env.allowLocalModels = true;
      t.env.localModelPath = path.dirname(dir);
      const id = path.basename(dir);
      const [processor, vision, tokenizer, text] = await Promise.all([
        t.AutoProcessor.from_pretrained(id),
        t.CLIPVisionModelWithProjection.from_pretrained(id),
        t.AutoTokenizer.from_pretrained(id),
        t.CLIPTextModelWithProjection.from_pretrained(id),
      ]);
      return { t, processor, vision, tokenizer, text };
    })());
  return {
    model: `transformers:${path.basename(dir)}`,
    async embedImage(jpeg) {
      const m = await load();
      const image = await m.t.RawImage.fromBlob(new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }));
      const { image_embeds } = await m.vision(await m.processor(image));
      return normalise(image_embeds.data);
    },
    async embedText(query) {
      const m = await load();
      const { text_embeds } = await m.text(m.tokenizer([query], { padding: true, truncation: true }));
      return normalise(text_embeds.data);
    },
  };
}

const providers = new Map<string, EmbeddingProvider>();

/** The configured provider (one per configuration per process), or undefined when none is. */
export function embeddingProvider(config: Pick<Config, 'embeddingProvider' | 'embeddingUrl' | 'embeddingModel' | 'embeddingApiKey'>): EmbeddingProvider | undefined {
  if (!config.embeddingProvider) return undefined;
  const key = JSON.stringify([config.embeddingProvider, config.embeddingUrl, config.embeddingModel, config.embeddingApiKey]);
  let provider = providers.get(key);
  if (!provider) {
    provider =
      config.embeddingProvider === 'http'
        ? httpEmbeddings({ url: config.embeddingUrl!, model: config.embeddingModel, apiKey: config.embeddingApiKey })
        : transformersEmbeddings(config.embeddingModel!);
    providers.set(key, provider);
  }
  return provider;
}
