import { expect } from 'chai';
import { ChatStreamAggregator } from '../../src/aggregate/chat-stream';
import { readErrorBody } from '../../src/mappers/error';
import { getChatRequestAttributes, getChatResponseAttributes } from '../../src/mappers/chat';
import { getCompletionRequestAttributes } from '../../src/mappers/completion';
import { compactTransferParams } from '../../src/mappers/transfer-params';
import { structuredOutputKind } from '../../src/mappers/vllm-request';
import { SchemaValidator } from '../../src/interpret/validation';
import type { ChatCompletionChunk, ChatCompletionRequest, ToolCallDelta } from '../../src/wire/chat';

// Issue 20: the forms vLLM versions sent that the golden exchanges show once each, checked
// here across their variants. The golden exchanges (test/fixtures/exchanges) hold the bodies.

const chunk = (index: number, delta: ChatCompletionChunk['choices'][0]['delta'], finish: string | null = null): ChatCompletionChunk => ({
  id: 'chatcmpl-1',
  choices: [{ index, delta, finish_reason: finish, stop_reason: null }],
});
const toolDelta = (call: ToolCallDelta) => ({ tool_calls: [call] });

function fold(chunks: ChatCompletionChunk[]) {
  const aggregator = new ChatStreamAggregator();
  for (const c of chunks) aggregator.add(c);
  return aggregator.result()!;
}

describe('streamed tool calls, every delta form', () => {
  const fragments = ['{"city"', ': "Paris"', '}'];
  const forms: Record<string, ToolCallDelta[]> = {
    'id on the first delta only': [
      { index: 0, id: 'call-1', type: 'function', function: { name: 'get_weather' } },
      ...fragments.map(arguments_ => ({ index: 0, function: { arguments: arguments_ } })),
    ],
    'id, type and name on every delta': fragments.map(arguments_ => ({ index: 0, id: 'call-1', type: 'function', function: { name: 'get_weather', arguments: arguments_ } })),
    'name on every delta, no id (v0.7 named tool_choice)': fragments.map(arguments_ => ({ index: 0, function: { name: 'get_weather', arguments: arguments_ } })),
    'name and whole arguments in the first delta': [{ index: 0, id: 'call-1', type: 'function', function: { name: 'get_weather', arguments: fragments.join('') } }],
    'a later delta with an empty name and null arguments': [
      { index: 0, id: 'call-1', type: 'function', function: { name: 'get_weather', arguments: fragments.join('') } },
      { index: 0, id: null, type: null, function: { name: '', arguments: null } },
    ],
  };
  for (const [form, deltas] of Object.entries(forms)) {
    it(form, () => {
      const result = fold([chunk(0, { role: 'assistant', content: '' }), ...deltas.map(d => chunk(0, toolDelta(d))), chunk(0, { content: '' }, 'tool_calls')]);
      const call = result.choices[0].message.tool_calls![0];
      expect(call.function).to.deep.equal({ name: 'get_weather', arguments: '{"city": "Paris"}' });
      expect(result.choices[0].message.tool_calls).to.have.length(1);
    });
  }

  it('keeps the first id when a build sends a different id with each delta', () => {
    const result = fold(fragments.map((arguments_, i) => chunk(0, toolDelta({ index: 0, id: `call-${i}`, function: { name: 'f', arguments: arguments_ } }))));
    expect(result.choices[0].message.tool_calls![0].id).to.equal('call-0');
  });

  it('ignores `tool_calls: []` on content deltas and keeps n>1 choices apart', () => {
    const result = fold([
      chunk(0, { content: 'A', tool_calls: [] }),
      chunk(1, { content: 'B', tool_calls: [] }),
      chunk(1, toolDelta({ index: 0, id: 'c1', type: 'function', function: { name: 'g', arguments: '{}' } })),
      chunk(0, toolDelta({ index: 0, id: 'c0', type: 'function', function: { name: 'f' } })),
      chunk(0, toolDelta({ index: 0, function: { name: 'f', arguments: '{"x":1}' } })),
    ]);
    expect(result.choices.map(c => [c.message.content, c.message.tool_calls])).to.deep.equal([
      ['A', [{ id: 'c0', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }]],
      ['B', [{ id: 'c1', type: 'function', function: { name: 'g', arguments: '{}' } }]],
    ]);
  });
});

describe('FastAPI error bodies', () => {
  const validator = new SchemaValidator();

  it('gives the text of `{"detail": "..."}` and leaves the type to the HTTP status', () => {
    expect(readErrorBody({ detail: 'Not Found' }, validator)).to.deep.equal({ message: 'Not Found', type: undefined });
  });

  it('gives location and message of each validation error, never its input, and counts the rest', () => {
    const detail = ['a', 'b', 'c', 'd', 'e'].map(field => ({ type: 'missing', loc: ['body', field], msg: 'Field required', input: { secret: 'sk-123' } }));
    const error = readErrorBody({ detail }, validator)!;
    expect(error).to.deep.equal({
      message: 'body.a: Field required; body.b: Field required; body.c: Field required (+2 more)',
      type: 'RequestValidationError',
    });
    expect(readErrorBody({ detail: [{ msg: 'bad' }] }, validator)!.message).to.equal('bad');
  });

  it('reads nothing from detail shapes that are not FastAPI errors', () => {
    for (const body of [{ detail: 404 }, { detail: [] }, { detail: [{ loc: ['body'] }] }, { detail: { reason: 'x' } }]) {
      expect(readErrorBody(body, validator), JSON.stringify(body)).to.equal(undefined);
    }
  });
});

describe('stop reasons and top_k', () => {
  const response = (stopReasons: Array<number | string | null>, finish: string | null = 'stop') => ({
    choices: stopReasons.map((stop_reason, index) => ({ index, message: { role: 'assistant', content: 'x' }, finish_reason: finish, stop_reason })),
  });

  it('writes "" per choice when every stop_reason is null but the choices finished', () => {
    expect(getChatResponseAttributes(response([null, null]))['vllm.stop_reason']).to.deep.equal(['', '']);
    expect(getChatResponseAttributes(response([null, 128009]))['vllm.stop_reason']).to.deep.equal(['', '128009']);
  });

  it('writes no stop reasons for a cut stream (no choice finished) nor for a body without the field', () => {
    expect(getChatResponseAttributes(response([null], null))).to.not.have.property('vllm.stop_reason');
    const withoutField = { choices: [{ index: 0, message: { content: 'x' }, finish_reason: 'stop' }] };
    expect(getChatResponseAttributes(withoutField)).to.not.have.property('vllm.stop_reason');
  });

  it('leaves out top_k 0 and -1 (vLLM: no limit) and keeps a real limit', () => {
    const request = (top_k: number): ChatCompletionRequest => ({ messages: [{ role: 'user', content: 'hi' }], top_k });
    expect(getChatRequestAttributes(request(-1))).to.not.have.property('gen_ai.request.top_k');
    expect(getChatRequestAttributes(request(0))).to.not.have.property('gen_ai.request.top_k');
    expect(getChatRequestAttributes(request(40))['gen_ai.request.top_k']).to.equal(40);
    expect(getCompletionRequestAttributes({ prompt: 'x', top_k: -1 })).to.not.have.property('gen_ai.request.top_k');
  });
});

describe('vLLM request fields recorded as vllm.request.*', () => {
  it('names the structured-output kind, response_format first, then structured_outputs, then guided_*', () => {
    const cases: Array<[Record<string, unknown>, string | undefined]> = [
      [{ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }, 'json_schema'],
      [{ response_format: { type: 'json_object' } }, 'json_object'],
      [{ response_format: { type: 'text' } }, undefined],
      [{ response_format: { type: 'structural_tag', format: {} }, guided_regex: 'a+' }, 'structural_tag'],
      [{ structured_outputs: { regex: '\\d+' } }, 'regex'],
      [{ structured_outputs: { json_object: true } }, 'json_object'],
      [{ structured_outputs: { json_object: false, choice: ['a', 'b'] } }, 'choice'],
      [{ structured_outputs: { grammar: 'root ::= "a"' } }, 'grammar'],
      [{ guided_json: '{"type":"object"}' }, 'json_schema'],
      [{ guided_grammar: 'root ::= "a"' }, 'grammar'],
      [{ guided_choice: [], guided_decoding_backend: 'outlines' }, undefined],
    ];
    for (const [request, kind] of cases) expect(structuredOutputKind(request), JSON.stringify(request)).to.equal(kind);
  });

  it('sets gen_ai.output.type json for JSON structured outputs, and never records the schema itself', () => {
    const attributes = getChatRequestAttributes({ messages: [], guided_json: { type: 'object', properties: { secret_field: {} } } });
    expect(attributes['gen_ai.output.type']).to.equal('json');
    expect(attributes['vllm.request.structured_output']).to.equal('json_schema');
    const vllmValues = Object.entries(attributes).filter(([key]) => key.startsWith('vllm.'));
    expect(JSON.stringify(vllmValues)).to.not.contain('secret_field');
  });

  it('records logprobs requests of chat and completions, and only well-typed values', () => {
    expect(pick(getChatRequestAttributes({ messages: [], logprobs: true, top_logprobs: 3, prompt_logprobs: 0 }))).to.deep.equal({
      'vllm.request.logprobs': true,
      'vllm.request.top_logprobs': 3,
      'vllm.request.prompt_logprobs': 0,
    });
    expect(pick(getChatRequestAttributes({ messages: [], logprobs: false, top_logprobs: 3 }))).to.deep.equal({});
    expect(pick(getCompletionRequestAttributes({ prompt: 'x', logprobs: 0 }))).to.deep.equal({ 'vllm.request.logprobs': true, 'vllm.request.top_logprobs': 0 });
    const odd = { messages: [], priority: 'high', request_id: 7, chat_template_kwargs: { enable_thinking: 'yes' }, kv_transfer_params: [] } as unknown as ChatCompletionRequest;
    expect(pick(getChatRequestAttributes(odd))).to.deep.equal({});
  });

  it('reads enable_thinking, or DeepSeek templates’ thinking', () => {
    expect(getChatRequestAttributes({ messages: [], chat_template_kwargs: { enable_thinking: true } })['vllm.request.enable_thinking']).to.equal(true);
    expect(getChatRequestAttributes({ messages: [], chat_template_kwargs: { thinking: false } })['vllm.request.enable_thinking']).to.equal(false);
  });
});

describe('kv_transfer_params', () => {
  it('is compact JSON with long block lists counted, not listed', () => {
    const params = { remote_engine_id: 'e0', remote_block_ids: Array.from({ length: 4000 }, (_, i) => i), remote_host: 'h', remote_port: 1, tp_size: 2 };
    expect(compactTransferParams(params)).to.equal('{"remote_engine_id":"e0","remote_block_ids":"<4000 items>","remote_host":"h","remote_port":1,"tp_size":2}');
    expect(compactTransferParams({ ids: [1, 2] })).to.equal('{"ids":[1,2]}');
    expect(compactTransferParams({ a: { b: { c: { d: { e: 1 } } } } })).to.equal('{"a":{"b":{"c":{"d":"<object>"}}}}');
    for (const value of [null, {}, [], 'x', 3]) expect(compactTransferParams(value)).to.equal(undefined);
  });
});

/** The `vllm.request.*` attributes of a set. */
function pick(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => key.startsWith('vllm.request.')));
}
