import { expect } from 'chai';
import fc from 'fast-check';
import { ChatStreamAggregator } from '../../src/aggregate/chat-stream';
import { EventTemplate } from '../../src/aggregate/event-template';
import type { ChatCompletionChunk } from '../../src/wire/chat';
import { runs, validator } from './fuzz-support';

type TokenField = 'content' | 'reasoning' | 'reasoning_content';

interface Envelope {
  id: string;
  model: string;
  created: number;
  index: number;
}

/** A token chunk as vLLM sends it, with `token` in `field`. */
function tokenChunk(field: TokenField, token: string, envelope: Envelope): ChatCompletionChunk {
  return {
    id: envelope.id,
    object: 'chat.completion.chunk',
    created: envelope.created,
    model: envelope.model,
    choices: [{ index: envelope.index, delta: { [field]: token }, logprobs: null, finish_reason: null } as ChatCompletionChunk['choices'][0]],
  };
}

const envelope: fc.Arbitrary<Envelope> = fc.record({
  id: fc.string({ maxLength: 40 }),
  model: fc.oneof(fc.constantFrom('m', 'meta-llama/Llama-3.1-8B-Instruct'), fc.string({ maxLength: 20 })),
  created: fc.nat(),
  index: fc.nat(3),
});
const field = fc.constantFrom<TokenField>('content', 'reasoning', 'reasoning_content');
// Every UTF-16 unit: quotes, backslashes, control characters, lone surrogates.
const token = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', '"', '\\', '\\"', '\n', '\u2028', '"delta":{"content":"x"}'));

/** What a template's hole must read in a probe: the same field a parse would fill. */
const holeOf = (fieldName: TokenField) => (probe: unknown) =>
  (probe as { choices?: Array<{ delta?: Record<string, unknown> }> } | undefined)?.choices?.[0]?.delta?.[fieldName];

function templateOf(fieldName: TokenField, first: string, env: Envelope) {
  const chunk = tokenChunk(fieldName, first, env);
  const template = EventTemplate.fromEvent(chunk, JSON.stringify(chunk), `"delta":{"${fieldName}":`, holeOf(fieldName));
  expect(template, 'a token chunk gives a template').to.not.equal(undefined);
  return { chunk, template: template! };
}

/** Random edits of a text: the fast path must refuse, or mean exactly what JSON.parse means. */
const edits = fc.array(
  fc.record({ at: fc.nat(), remove: fc.nat(3), insert: fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 3 }), fc.constantFrom('"', '\\', ',', '}', ' ', '{"x":1}')) }),
  { minLength: 1, maxLength: 3 },
);

function applyEdits(text: string, list: Array<{ at: number; remove: number; insert: string }>): string {
  let result = text;
  for (const { at, remove, insert } of list) {
    const position = at % (result.length + 1);
    result = result.slice(0, position) + insert + result.slice(position + remove);
  }
  return result;
}

describe('event templates: token chunks folded from their text (property)', () => {
  it('reads every token of a chunk that repeats the template, escapes and all', () => {
    fc.assert(
      fc.property(field, token, token, envelope, (fieldName, first, next, env) => {
        const { template } = templateOf(fieldName, first, env);
        expect(template.match(JSON.stringify(tokenChunk(fieldName, next, env)))).to.equal(next);
      }),
      runs(300),
    );
  });

  it('accepts an edited text only when JSON.parse gives the template with the token it read', () => {
    fc.assert(
      fc.property(field, token, token, envelope, edits, (fieldName, first, next, env, editList) => {
        const { template } = templateOf(fieldName, first, env);
        const text = applyEdits(JSON.stringify(tokenChunk(fieldName, next, env)), editList);
        const read = template.match(text);
        if (read === undefined) return;
        expect(JSON.parse(text)).to.deep.equal(tokenChunk(fieldName, read, env));
      }),
      runs(1000),
    );
  });

  it('folds a stream through its text exactly as through parsed and validated chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(field, token), { minLength: 1, maxLength: 30 }), envelope, (tokens, env) => {
        const viaText = new ChatStreamAggregator();
        const viaParse = new ChatStreamAggregator();
        let foldedFromText = 0;
        for (const [fieldName, text] of tokens) {
          const chunk = tokenChunk(fieldName, text, env);
          const json = JSON.stringify(chunk);
          expect(validator.is('chat-completion-chunk', chunk), validator.lastErrorText()).to.equal(true);
          viaParse.add(chunk);
          if (viaText.addText(json)) foldedFromText++;
          else {
            viaText.add(chunk);
            viaText.learn(chunk, json);
          }
        }
        expect(viaText.result()).to.deep.equal(viaParse.result());
        // All but the first chunk of each run of one field repeat the template.
        const fieldChanges = tokens.filter(([fieldName], i) => i === 0 || tokens[i - 1][0] !== fieldName).length;
        if (fieldChanges <= 4) expect(foldedFromText).to.equal(tokens.length - fieldChanges);
      }),
      runs(200),
    );
  });
});

describe('event templates refuse what they cannot prove', () => {
  const env = { id: 'chatcmpl-1', model: 'm', created: 1, index: 0 };

  it('refuses a marker that occurs twice (once inside a key)', () => {
    const text = '{"choices":[{"index":0,"delta":{"content":"a"}}],"x\\"delta":{"content":"b"}}';
    expect(EventTemplate.fromEvent(JSON.parse(text), text, '"delta":{"content":', holeOf('content'))).to.equal(undefined);
  });

  it('refuses a hole that is not the token field, as a probe parse shows', () => {
    // A server with spaced separators: the only compact marker sits in another key's value.
    const text = '{"choices": [{"index": 0, "delta": {"content": "a"}}], "x\\"delta":{"content":"b"}}';
    expect(EventTemplate.fromEvent(JSON.parse(text), text, '"delta":{"content":', holeOf('content'))).to.equal(undefined);
  });

  it('refuses a marker followed by something other than a string', () => {
    const text = '{"choices":[{"index":0,"delta":{"content":null}}]}';
    expect(EventTemplate.fromEvent(JSON.parse(text), text, '"delta":{"content":', holeOf('content'))).to.equal(undefined);
  });

  it('learns nothing from chunks that end a choice, carry usage, or hold more than one field', () => {
    const aggregator = new ChatStreamAggregator();
    const finishing = { ...tokenChunk('content', 'a', env), choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }] };
    const withUsage = { ...tokenChunk('content', 'a', env), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    const twoFields = { ...tokenChunk('content', 'a', env), choices: [{ index: 0, delta: { role: 'assistant', content: 'a' } }] };
    for (const chunk of [finishing, withUsage, twoFields]) aggregator.learn(chunk, JSON.stringify(chunk));
    expect(aggregator.addText(JSON.stringify(tokenChunk('content', 'b', env)))).to.equal(false);
  });
});
