/**
 * A real local HTTP server standing in for the model providers (the true externals): an
 * embedding endpoint with deterministic vectors, an OpenAI-compatible chat-completions endpoint
 * and a reranker. Tests read `requests` and switch `mode` to make a provider misbehave.
 *
 * Embeddings live in one 64-d space: an image is its colour histogram (4 levels per RGB
 * channel over a 32×32 thumbnail); a text puts weight on the bins of the colour words it
 * names ("green" → the pure-green bin) and a little, by hash, for every other word. So a colour
 * word finds pictures of that colour, and the same picture always lands on the same vector.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export const DIMS = 64;

const COLOURS: Record<string, [number, number, number]> = {
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
  yellow: [255, 255, 0],
  white: [255, 255, 255],
  black: [0, 0, 0],
  magenta: [255, 0, 255],
  cyan: [0, 255, 255],
};

const bin = (r: number, g: number, b: number) => (r >> 6) * 16 + (g >> 6) * 4 + (b >> 6);

export async function imageVector(jpeg: Buffer): Promise<number[]> {
  const { data } = await sharp(jpeg).resize(32, 32, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const v = new Array<number>(DIMS).fill(0);
  for (let i = 0; i < data.length; i += 3) v[bin(data[i], data[i + 1], data[i + 2])]++;
  return v;
}

export function textVector(text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)) {
    const colour = COLOURS[word];
    if (colour) v[bin(...colour)] += 10;
    else v[createHash('sha256').update(word).digest()[0] % DIMS] += 1;
  }
  if (!v.some((x) => x !== 0)) v[0] = 1;
  return v;
}

export type Mode = 'ok' | 'fail' | 'refuse';

export interface ModelServer {
  url: string;
  requests: { path: string; body: any; authorization: string | undefined }[];
  /** How each endpoint answers: `fail` = HTTP 500, `refuse` = a refusal (chat) or HTTP 400. */
  mode: Record<'embeddings' | 'chat' | 'rerank', Mode>;
  /** What the chat endpoint says for an image (by default a fixed sentence). */
  describe: (imageDataUrl: string) => string;
  /** Rerank order for a query: the indexes of documents containing `rerankFavourite` first. */
  rerankFavourite: string;
  close(): Promise<void>;
}

export async function startModelServer(): Promise<ModelServer> {
  const state: Omit<ModelServer, 'url' | 'close'> = {
    requests: [],
    mode: { embeddings: 'ok', chat: 'ok', rerank: 'ok' },
    describe: () => 'A photo of something.',
    rerankFavourite: '',
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        state.requests.push({ path, body, authorization: req.headers.authorization });
        const send = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (path.endsWith('/embeddings')) {
          if (state.mode.embeddings === 'fail') return send(500, { error: 'embedding backend down' });
          if (state.mode.embeddings === 'refuse') return send(400, { error: 'bad input' });
          const input = String(body.input[0]);
          const vector = body.modality === 'image' ? await imageVector(Buffer.from(input.slice(input.indexOf(',') + 1), 'base64')) : textVector(input);
          return send(200, { object: 'list', model: body.model, data: [{ object: 'embedding', index: 0, embedding: vector }] });
        }
        if (path.endsWith('/chat/completions')) {
          if (state.mode.chat === 'fail') return send(503, { error: { message: 'overloaded' } });
          const image = body.messages.flatMap((m: { content: unknown }) => (Array.isArray(m.content) ? m.content : [])).find((p: { type: string }) => p.type === 'image_url')?.image_url?.url ?? '';
          const message = state.mode.chat === 'refuse' ? { role: 'assistant', content: null, refusal: 'I can’t help with that image.' } : { role: 'assistant', content: state.describe(image) };
          return send(200, { id: 'chatcmpl-1', object: 'chat.completion', model: body.model, choices: [{ index: 0, message, finish_reason: 'stop' }] });
        }
        if (path.endsWith('/rerank')) {
          if (state.mode.rerank === 'fail') return send(500, { error: 'reranker down' });
          const docs: string[] = body.documents;
          const results = docs.map((d, index) => ({ index, relevance_score: state.rerankFavourite && d.includes(state.rerankFavourite) ? 1 : 0.5 - index / 1000 }));
          return send(200, { results: results.sort((a, b) => b.relevance_score - a.relevance_score) });
        }
        send(404, { error: 'not found' });
      })().catch((err: Error) => {
        res.writeHead(500);
        res.end(err.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A picture of mostly one colour with some grain (unique bytes per seed), as PNG. */
export async function swatch(colour: [number, number, number], seed: number, size = 96): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = Math.max(0, Math.min(255, colour[i % 3] + ((s >>> 24) % 21) - 10));
  }
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}
