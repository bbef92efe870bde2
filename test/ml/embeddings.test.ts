import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';
import { embeddingProvider, httpEmbeddings, normalise, transformersEmbeddings } from '../../src/ml/embeddings.js';
import { ProviderError } from '../../src/ml/http-client.js';

describe('embedding providers', () => {
  let server: http.Server;
  let url: string;
  let answer: (body: any) => [number, unknown] = () => [200, {}];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const [status, body] = answer(JSON.parse(text));
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/embed`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('normalises to unit length and refuses a zero vector', () => {
    expect(Array.from(normalise([3, 4]))).toEqual([expect.closeTo(0.6), expect.closeTo(0.8)]);
    expect(() => normalise([0, 0])).toThrow(ProviderError);
  });

  it.each([
    ['OpenAI style', { data: [{ embedding: [1, 0] }] }],
    ['single', { embedding: [1, 0] }],
    ['batch', { embeddings: [[1, 0]] }],
  ])('reads the %s answer', async (_name, body) => {
    answer = () => [200, body];
    expect(Array.from(await httpEmbeddings({ url }).embedText('x'))).toEqual([1, 0]);
  });

  it('sends model, input and modality; images as JPEG data URLs', async () => {
    let seen: any;
    answer = (body) => ((seen = body), [200, { embedding: [0, 2] }]);
    const provider = httpEmbeddings({ url, model: 'clip-b32' });
    await provider.embedImage(Buffer.from([0xff, 0xd8]));
    expect(seen).toEqual({ model: 'clip-b32', input: ['data:image/jpeg;base64,/9g='], modality: 'image' });
    expect(provider.model).toBe('http:clip-b32');
  });

  it('a 5xx is retryable, a 4xx or a malformed answer is not', async () => {
    answer = () => [503, { error: 'busy' }];
    await expect(httpEmbeddings({ url }).embedText('x')).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('503') });
    answer = () => [400, { error: 'bad' }];
    await expect(httpEmbeddings({ url }).embedText('x')).rejects.toMatchObject({ retryable: false });
    answer = () => [200, { nothing: true }];
    await expect(httpEmbeddings({ url }).embedText('x')).rejects.toMatchObject({ retryable: false });
  });

  it('an unreachable provider is retryable', async () => {
    await expect(httpEmbeddings({ url: 'http://127.0.0.1:9/none' }).embedText('x')).rejects.toMatchObject({ retryable: true });
  });

  it('the transformers provider says clearly that its package is not bundled', async () => {
    await expect(transformersEmbeddings('/models/clip').embedText('x')).rejects.toThrow(/needs the @huggingface\/transformers package.*npm install @huggingface\/transformers/);
  });

  it('settings: none by default; http needs a URL; transformers needs a model directory', () => {
    expect(embeddingProvider(loadConfig({}))).toBeUndefined();
    expect(() => loadConfig({ EUCALYPT_EMBEDDING_PROVIDER: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ EUCALYPT_EMBEDDING_PROVIDER: 'transformers' })).toThrow(/EUCALYPT_EMBEDDING_MODEL/);
    expect(() => loadConfig({ EUCALYPT_EMBEDDING_PROVIDER: 'clip' })).toThrow(ConfigError);
    expect(() => loadConfig({ EUCALYPT_LABELS: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ EUCALYPT_DESCRIPTION_URL: 'http://x/v1' })).toThrow(/EUCALYPT_DESCRIPTION_MODEL/);
    expect(embeddingProvider(loadConfig({ EUCALYPT_EMBEDDING_PROVIDER: 'http', EUCALYPT_EMBEDDING_URL: 'http://127.0.0.1:1/e' }))?.model).toBe('http:http://127.0.0.1:1/e');
  });
});
