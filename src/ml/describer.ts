/**
 * AI descriptions (§3.17) from any OpenAI-compatible chat-completions API with a vision model
 * (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio, ...): the preview goes as a base64 data
 * URL beside the prompt. A refusal becomes "" (Gumnut's "the model declined"): the API's
 * `refusal` field, a `content_filter` stop, an empty answer, or a short answer that opens the
 * way refusals do ("I'm sorry…", "I can't…").
 */
import type { Config } from '../config.js';
import { ProviderError, postJson } from './http-client.js';

export interface Describer {
  describe(jpeg: Buffer): Promise<string>;
}

const MAX_LENGTH = 2000;
const REFUSAL_OPENING = /^(i['’]m sorry|i am sorry|sorry[,.!]|i can['’]?not|i can['’]t|i am unable|i['’]m unable|i won['’]t|i am not able|i['’]m not able)/i;

/** The description in a chat-completions answer; "" when the model declined. */
export function descriptionOf(body: unknown): string {
  const choice = (body as { choices?: { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }[] })?.choices?.[0];
  if (!choice?.message) throw new ProviderError('The description API answered without choices[0].message', false);
  const { content, refusal } = choice.message;
  if (typeof refusal === 'string' && refusal.trim() !== '') return '';
  if (choice.finish_reason === 'content_filter') return '';
  const text = (
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((p: { type?: string; text?: unknown }) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('')
        : ''
  ).trim();
  if (text === '' || (text.length < 300 && REFUSAL_OPENING.test(text))) return '';
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

export function openAiDescriber(options: { baseUrl: string; model: string; apiKey?: string; prompt: string; timeoutMs?: number }): Describer {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    async describe(jpeg) {
      const body = await postJson(
        url,
        {
          model: options.model,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: options.prompt },
                { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } },
              ],
            },
          ],
          max_tokens: 300,
          temperature: 0,
        },
        { apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 120_000 },
      );
      return descriptionOf(body);
    },
  };
}

export function describer(config: Pick<Config, 'descriptionUrl' | 'descriptionModel' | 'descriptionApiKey' | 'descriptionPrompt'>): Describer | undefined {
  if (!config.descriptionUrl || !config.descriptionModel) return undefined;
  return openAiDescriber({ baseUrl: config.descriptionUrl, model: config.descriptionModel, apiKey: config.descriptionApiKey, prompt: config.descriptionPrompt });
}
