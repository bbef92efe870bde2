import { describe, expect, it } from 'vitest';
import { descriptionOf } from '../../src/ml/describer.js';
import { ProviderError } from '../../src/ml/http-client.js';

const answer = (message: object, finish_reason = 'stop') => ({ choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason }] });

describe('descriptionOf (chat-completions answers)', () => {
  it.each([
    ['plain content', answer({ content: '  A dog on a beach.  ' }), 'A dog on a beach.'],
    ['content parts', answer({ content: [{ type: 'text', text: 'A dog ' }, { type: 'text', text: 'on a beach.' }] }), 'A dog on a beach.'],
    ['the refusal field', answer({ content: null, refusal: 'I cannot help with that.' }), ''],
    ['a content filter stop', answer({ content: 'partial' }, 'content_filter'), ''],
    ['an empty answer', answer({ content: '' }), ''],
    ['a refusal in words', answer({ content: "I'm sorry, but I can't describe this image." }), ''],
    ['a long answer that merely starts with sorry', answer({ content: `Sorry, the sign reads "closed". ${'x'.repeat(400)}` }), `Sorry, the sign reads "closed". ${'x'.repeat(400)}`],
  ])('%s', (_name, body, expected) => expect(descriptionOf(body)).toBe(expected));

  it('caps very long answers', () => {
    expect(descriptionOf(answer({ content: 'y'.repeat(5000) }))).toHaveLength(2000);
  });

  it('rejects an answer without a message', () => {
    expect(() => descriptionOf({ error: 'nope' })).toThrow(ProviderError);
  });
});
