import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { isCommonChatRequest, isCommonChatResponse } from '../../src/endpoints/chat-body-shapes';
import { EXCHANGES } from '../support/golden';
import { runs, validator } from './fuzz-support';

// Values on either side of each rule of the two schemas: types, integers, finite numbers, the 256
// and 4096 length bounds (in code points, so astral characters count once), null, lists.
const edgeValue = fc.oneof(
  fc.constantFrom(null, true, 0, -3, 2.5, 1e21, '', 'stop', [], {}, [1], ['a'], [{}], { text: 'x' }, [{ type: 'text', text: 'x' }]),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.constantFrom(256, 257, 4096, 4097).chain(length => fc.constantFrom('a'.repeat(length), '😀'.repeat(length), `${'a'.repeat(length - 1)}😀`)),
);

type Body = Record<string, unknown>;
const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
const nullable = <T>(value: fc.Arbitrary<T>) => optional(fc.oneof(fc.constant(null), value));

/** Requests the schema accepts, in the shapes the fast check is for. */
const validRequest: fc.Arbitrary<Body> = fc.record(
  {
    model: nullable(fc.constant('meta-llama/Llama-3.1-8B-Instruct')),
    messages: fc.array(
      fc.record(
        { role: fc.constantFrom('system', 'user', 'assistant', 'tool'), content: nullable(fc.string()), name: nullable(fc.string()), tool_call_id: nullable(fc.string()) },
        { requiredKeys: ['role'] },
      ),
      { maxLength: 3 },
    ),
    stream: nullable(fc.boolean()),
    stream_options: nullable(fc.record({ include_usage: nullable(fc.boolean()), continuous_usage_stats: nullable(fc.boolean()) }, { requiredKeys: [] })),
    tools: nullable(fc.constant([])),
    max_tokens: nullable(fc.nat()),
    temperature: nullable(fc.double({ min: 0, max: 2, noNaN: true })),
    top_p: nullable(fc.double({ min: 0, max: 1, noNaN: true })),
    seed: nullable(fc.integer()),
    stop: nullable(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }))),
    n: nullable(fc.nat(3)),
  },
  { requiredKeys: ['messages'] },
);

/** Responses the schema accepts, in the shapes the fast check is for. */
const validResponse: fc.Arbitrary<Body> = fc.record(
  {
    id: nullable(fc.constant('chatcmpl-1')),
    object: nullable(fc.constant('chat.completion')),
    created: nullable(fc.nat()),
    model: nullable(fc.constant('meta-llama/Llama-3.1-8B-Instruct')),
    system_fingerprint: nullable(fc.string()),
    choices: fc.array(
      fc.record(
        {
          index: fc.nat(3),
          message: fc.record(
            { role: nullable(fc.constant('assistant')), content: nullable(fc.string()), reasoning_content: nullable(fc.string()), reasoning: nullable(fc.string()), refusal: nullable(fc.string()), tool_calls: nullable(fc.constant([])) },
            { requiredKeys: [] },
          ),
          finish_reason: nullable(fc.constantFrom('stop', 'length')),
          stop_reason: nullable(fc.oneof(fc.integer(), fc.string())),
        },
        { requiredKeys: ['index', 'message'] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
    usage: nullable(
      fc.record(
        {
          prompt_tokens: nullable(fc.nat()),
          completion_tokens: nullable(fc.nat()),
          total_tokens: nullable(fc.nat()),
          prompt_tokens_details: nullable(fc.record({ cached_tokens: nullable(fc.nat()) }, { requiredKeys: [] })),
          completion_tokens_details: nullable(fc.record({ reasoning_tokens: nullable(fc.nat()) }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['choices'] },
);

// Every place the schemas have a rule for, as a path from the body; a mutation puts an edge value there.
const REQUEST_PATHS = [
  ...['model', 'messages', 'stream', 'stream_options', 'tools', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k',
    'frequency_penalty', 'presence_penalty', 'seed', 'stop', 'n'].map(key => [key]),
  ['stream_options', 'include_usage'], ['stream_options', 'continuous_usage_stats'], ['stop', 0], ['messages', 0],
  ...['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'reasoning_content', 'reasoning'].map(key => ['messages', 0, key]),
];
const RESPONSE_PATHS = [
  ...['id', 'object', 'created', 'model', 'system_fingerprint', 'choices', 'usage'].map(key => [key]),
  ['choices', 0], ...['index', 'message', 'finish_reason', 'stop_reason'].map(key => ['choices', 0, key]),
  ...['role', 'content', 'tool_calls', 'reasoning_content', 'reasoning', 'refusal'].map(key => ['choices', 0, 'message', key]),
  ...['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details', 'completion_tokens_details'].map(key => ['usage', key]),
  ['usage', 'prompt_tokens_details', 'cached_tokens'], ['usage', 'completion_tokens_details', 'reasoning_tokens'],
];

/** Sets `value` at `path`, creating no parents: a path through a missing or primitive parent changes nothing. */
function setAt(body: unknown, at: ReadonlyArray<string | number>, value: unknown): void {
  let parent = body as Record<string | number, unknown>;
  for (const step of at.slice(0, -1)) {
    const next = parent[step];
    if (typeof next !== 'object' || next === null) return;
    parent = next as Record<string | number, unknown>;
  }
  parent[at[at.length - 1]] = value;
}

/** A valid body with one or two places set to an edge value, as JSON.parse would hand it over. */
const mutated = (valid: fc.Arbitrary<Body>, paths: ReadonlyArray<ReadonlyArray<string | number>>) =>
  fc.tuple(valid, fc.array(fc.tuple(fc.constantFrom(...paths), edgeValue), { minLength: 1, maxLength: 2 })).map(([body, mutations]) => {
    const copy = structuredClone(body);
    // Cloned: constantFrom hands out the same object every time, and two mutations could nest it in itself.
    for (const [at, value] of mutations) setAt(copy, at, structuredClone(value));
    return asParsed(copy);
  });

const asParsed = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');
const fixture = (scenario: string, file: string): unknown => JSON.parse(fs.readFileSync(path.join(EXCHANGES, scenario, file), 'utf8'));

describe('isCommonChatRequest / isCommonChatResponse (the fast paths before the chat schemas)', () => {
  const cases = [
    { name: 'request', check: isCommonChatRequest, schema: 'chat-completion-request', valid: validRequest, paths: REQUEST_PATHS },
    { name: 'response', check: isCommonChatResponse, schema: 'chat-completion-response', valid: validResponse, paths: RESPONSE_PATHS },
  ] as const;

  for (const { name, check, schema, valid, paths } of cases) {
    it(`accepts no ${name} that schema ${schema} rejects`, () => {
      fc.assert(
        fc.property(fc.oneof({ arbitrary: mutated(valid, paths), weight: 8 }, { arbitrary: valid.map(asParsed), weight: 1 }, { arbitrary: fc.jsonValue(), weight: 1 }), value => {
          if (check(value)) expect(validator.is(schema, value), `${JSON.stringify(value).slice(0, 300)}: ${validator.lastErrorText()}`).to.equal(true);
        }),
        runs(2000),
      );
    });

    it(`accepts every generated common ${name}`, () => {
      fc.assert(
        fc.property(valid.map(asParsed), value => {
          expect(check(value), JSON.stringify(value).slice(0, 300)).to.equal(true);
        }),
        runs(300),
      );
    });
  }

  it('takes the recorded text chats, and leaves tools, tool calls and content parts to the schemas', () => {
    expect(isCommonChatRequest(fixture('chat-nonstream', 'request.json'))).to.equal(true);
    expect(isCommonChatResponse(fixture('chat-nonstream', 'response.json'))).to.equal(true);
    expect(isCommonChatResponse(fixture('chat-nonstream-n2', 'response.json'))).to.equal(true);
    expect(isCommonChatRequest(fixture('chat-stream-parallel-tools', 'request.json'))).to.equal(false);
    const withToolCall = { choices: [{ index: 0, message: { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] } }] };
    expect([isCommonChatResponse(withToolCall), validator.is('chat-completion-response', withToolCall)]).to.deep.equal([false, true]);
    const withParts = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };
    expect([isCommonChatRequest(withParts), validator.is('chat-completion-request', withParts)]).to.deep.equal([false, true]);
  });
});
