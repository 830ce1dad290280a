import { expect } from 'chai';
import fc from 'fast-check';
import { isCommonChatChunk } from '../../src/aggregate/chat-chunk-shape';
import { chatStreamEvents } from '../support/vllm-wire';
import { streamChunks, streamTruth } from './chat-stream-arbitrary';
import { runs, validator } from './fuzz-support';

// Values that sit on either side of each rule of the chunk schema: types, integers, the 256 and
// 4096 length bounds (in code points, so astral characters count once), null.
const edgeValue = fc.oneof(
  fc.constantFrom(null, true, 0, -3, 2.5, 1e21, '', 'stop', [], {}, [1], { text: 'x' }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.constantFrom(256, 257, 4096, 4097).chain(length => fc.constantFrom('a'.repeat(length), '😀'.repeat(length), `${'a'.repeat(length - 1)}😀`)),
);

type Chunk = { choices: Array<{ delta: Record<string, unknown> } & Record<string, unknown>> } & Record<string, unknown>;

const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });

const validChoice = fc.record({
  index: fc.nat(3),
  delta: fc.record(
    { role: fc.constant('assistant'), content: fc.string(), reasoning_content: fc.string(), reasoning: fc.string() },
    { requiredKeys: [] },
  ),
  logprobs: optional(fc.constant(null)),
  finish_reason: optional(fc.constantFrom(null, 'stop', 'length')),
  stop_reason: optional(fc.oneof(fc.constant(null), fc.integer(), fc.string())),
});

const validUsage = fc.record(
  {
    prompt_tokens: fc.nat(),
    completion_tokens: fc.oneof(fc.nat(), fc.constant(null)),
    total_tokens: fc.nat(),
    prompt_tokens_details: fc.oneof(fc.constant(null), fc.record({ cached_tokens: fc.oneof(fc.nat(), fc.constant(null)) }, { requiredKeys: [] })),
    completion_tokens_details: fc.oneof(fc.constant(null), fc.record({ reasoning_tokens: fc.nat() }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

/** Chunks the schema accepts, in the shapes the fast path is for. */
const validChunk: fc.Arbitrary<Chunk> = fc.record(
  {
    id: fc.constant('chatcmpl-1'),
    object: fc.constant('chat.completion.chunk'),
    created: fc.nat(),
    model: fc.constant('meta-llama/Llama-3.1-8B-Instruct'),
    system_fingerprint: fc.constant(null),
    choices: fc.array(validChoice, { minLength: 0, maxLength: 3 }),
    usage: fc.oneof(fc.constant(null), validUsage),
  },
  { requiredKeys: ['choices'] },
);

// Every place the schema has a rule for; each mutation puts an edge value in one of them.
const MUTATIONS: ReadonlyArray<(chunk: Chunk, value: unknown) => void> = [
  ...['id', 'object', 'created', 'model', 'system_fingerprint', 'choices', 'usage'].map(key => (chunk: Chunk, value: unknown) => (chunk[key] = value)),
  (chunk, value) => ((chunk.choices as unknown[])[0] = value),
  ...['index', 'delta', 'finish_reason', 'stop_reason'].map(key => (chunk: Chunk, value: unknown) => (chunk.choices[0][key] = value)),
  ...['role', 'content', 'reasoning_content', 'reasoning', 'tool_calls'].map(key => (chunk: Chunk, value: unknown) => (chunk.choices[0].delta[key] = value)),
  ...['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details', 'completion_tokens_details'].map(
    key => (chunk: Chunk, value: unknown) => ((chunk.usage as Record<string, unknown>)[key] = value),
  ),
  (chunk, value) => ((chunk.usage as { prompt_tokens_details: Record<string, unknown> }).prompt_tokens_details.cached_tokens = value),
  (chunk, value) => ((chunk.usage as { completion_tokens_details: Record<string, unknown> }).completion_tokens_details.reasoning_tokens = value),
];

/** A valid chunk with one or two fields set to an edge value. */
const mutatedChunk = fc
  .tuple(validChunk, fc.array(fc.tuple(fc.nat(MUTATIONS.length - 1), edgeValue), { minLength: 1, maxLength: 2 }))
  .map(([chunk, mutations]) => {
    const copy = structuredClone(chunk);
    for (const [which, value] of mutations) {
      try {
        // A copy each: two mutations given one object would otherwise write it into itself (a cycle JSON cannot hold).
        MUTATIONS[which](copy, structuredClone(value));
      } catch {
        // The first mutation replaced the parent of the second one's field: one mutation is enough.
      }
    }
    return copy;
  });

/** What JSON.parse would hand over: no undefined values, no prototypes beyond Object. */
const asParsed = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

describe('isCommonChatChunk (the fast path before the chunk schema)', () => {
  it('accepts nothing that schema chat-completion-chunk rejects', () => {
    fc.assert(
      fc.property(fc.oneof({ arbitrary: mutatedChunk, weight: 8 }, { arbitrary: validChunk, weight: 1 }, { arbitrary: fc.jsonValue(), weight: 1 }), generated => {
        const value = asParsed(generated);
        if (isCommonChatChunk(value)) {
          expect(validator.is('chat-completion-chunk', value), `${JSON.stringify(value).slice(0, 300)}: ${validator.lastErrorText()}`).to.equal(true);
        }
      }),
      runs(2000),
    );
  });

  it('accepts the token and usage chunks of generated streams, and leaves tool-call chunks to the schema', () => {
    fc.assert(
      fc.property(streamTruth, truth => {
        for (const chunk of streamChunks(truth)) {
          const value = asParsed(chunk) as { choices: Array<{ delta: { tool_calls?: unknown } }> };
          const special = value.choices.some(c => c.delta.tool_calls != null);
          expect(isCommonChatChunk(value), JSON.stringify(value)).to.equal(!special);
        }
      }),
      runs(100),
    );
  });

  it('accepts every event of an emulated vLLM stream, the usage chunk included', () => {
    const events = chatStreamEvents({ content: ['Hel', 'lo', ' wor', 'ld'], reasoning: ['Hm'], includeUsage: true, tokenIds: null });
    const values = events.filter(event => !event.includes('[DONE]')).map(event => JSON.parse(event.slice('data: '.length)));
    expect(values[values.length - 1].usage.total_tokens).to.be.a('number');
    expect(values.map(isCommonChatChunk)).to.deep.equal(values.map(() => true));
  });
});
