import { expect } from 'chai';
import OpenAI from 'openai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanLimits } from '@opentelemetry/sdk-trace-base';
import { TRUNCATION_MARK } from '../../src/privacy/attribute-policy';
import { useTracedServer } from '../support/traced-server';
import { chatCompletion, chatStreamEvents } from '../support/vllm-wire';

/**
 * The answer survives any conversation length (issue 17 item 2): under the SDK's attribute count
 * limit, what the SDK drops is the oldest input messages, never the answer, usage or outcome, and
 * the span says how many messages it left out.
 */

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** An agent conversation of `length` messages: a system prompt, then user turns (some with an image), assistant tool calls and tool results. */
function conversation(length: number): Message[] {
  const messages: Message[] = [{ role: 'system', content: 'You are an agent.' }];
  for (let turn = 0; messages.length < length; turn++) {
    const step = messages.length % 4;
    if (step === 1) {
      messages.push(
        turn % 3 === 0
          ? { role: 'user', content: [{ type: 'text', text: `turn ${messages.length}` }, { type: 'image_url', image_url: { url: `https://img.test/${turn}.png` } }] }
          : { role: 'user', content: `turn ${messages.length}` },
      );
    } else if (step === 2) {
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${turn}`, type: 'function', function: { name: 'lookup', arguments: `{"q":${turn}}` } }] });
    } else if (step === 3) {
      messages.push({ role: 'tool', tool_call_id: `call_${turn}`, content: `result ${turn}` });
    } else {
      messages.push({ role: 'assistant', content: `reply ${messages.length}` });
    }
  }
  // The latest turn is the user's, as when the model is asked to answer.
  messages[length - 1] = { role: 'user', content: `the latest question (${length - 1})` };
  return messages;
}

const ANSWER = 'the final answer';
const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];

/** The indexes of the input messages a span records. */
function recordedMessageIndexes(span: ReadableSpan): number[] {
  const indexes = new Set<number>();
  for (const key of Object.keys(span.attributes)) {
    const match = /^llm\.input_messages\.(\d+)\./.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes].sort((a, b) => a - b);
}

function expectAnswerKept(span: ReadableSpan): void {
  expect(span.name).to.equal('chat m');
  expect(span.attributes).to.include({
    'fi.span.kind': 'LLM',
    'llm.model': 'm',
    'gen_ai.response.model': 'm',
    'llm.output_messages.0.role': 'assistant',
    'llm.output_messages.0.content': ANSWER,
    'llm.token_count.prompt': 11,
    'gen_ai.usage.input_tokens': 11,
  });
  expect(span.attributes['gen_ai.response.finish_reasons']).to.deep.equal(['stop']);
  expect(span.attributes['llm.token_count.completion']).to.be.a('number').and.above(0);
}

describe('attribute limits: the answer survives any conversation length', () => {
  const suite = useTracedServer();

  async function call(length: number, spanLimits: SpanLimits | undefined, stream: boolean): Promise<ReadableSpan> {
    const tracing = suite.trace({ spanLimits });
    suite.server.respondWith(
      stream
        ? { events: chatStreamEvents({ model: 'm', content: [ANSWER.slice(0, 4), ANSWER.slice(4)], includeUsage: true, promptTokens: 11 }) }
        : { json: chatCompletion({ model: 'm', content: ANSWER, usage: { promptTokens: 11, completionTokens: 2 } }) },
    );
    const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
    const messages = conversation(length);
    if (stream) {
      for await (const _chunk of await client.chat.completions.create({ model: 'm', messages, tools: TOOLS, stream: true, stream_options: { include_usage: true } }));
    } else {
      await client.chat.completions.create({ model: 'm', messages, tools: TOOLS });
    }
    const [span] = await tracing.waitForSpans(1);
    return span;
  }

  const cases: Array<{ length: number; limit?: number; stream?: boolean }> = [
    { length: 10 },
    { length: 50 },
    { length: 100 },
    { length: 300, stream: true },
    { length: 1000 },
    { length: 50, limit: 32 },
    { length: 300, limit: 32, stream: true },
    { length: 300, limit: 1000 },
    { length: 1000, limit: 1000 },
  ];
  for (const { length, limit, stream = false } of cases) {
    it(`${length} messages, ${limit ?? 'default (128)'} attributes${stream ? ', streamed' : ''}: outcome kept, the newest messages whole, the rest marked`, async () => {
      const span = await call(length, limit === undefined ? undefined : { attributeCountLimit: limit }, stream);
      const countLimit = limit ?? 128;
      expect(Object.keys(span.attributes).length).to.be.at.most(countLimit);
      expectAnswerKept(span);
      const recorded = recordedMessageIndexes(span);
      if (recorded.length === length) {
        expect(span.attributes).not.to.have.property('vllm.input_messages.omitted');
      } else {
        if (recorded.length > 0 || Object.keys(span.attributes).length < countLimit) {
          expect(span.attributes).to.include({ 'vllm.input_messages.omitted': length - recorded.length });
        } else {
          // Only where the answer alone filled the span (32 attributes, 13 of them HTTP) is there no room for the mark.
          expect(span.attributes['llm.output_messages.0.content']).to.equal(ANSWER);
        }
      }
      // The newest messages, without a gap, each one whole (role and its content keys).
      expect(recorded).to.deep.equal(Array.from({ length: recorded.length }, (_, i) => length - recorded.length + i));
      if (countLimit >= 64) {
        expect(recorded.length).to.be.greaterThan(0);
        expect(span.attributes[`llm.input_messages.${length - 1}.content`]).to.equal(`the latest question (${length - 1})`);
      }
      for (const index of recorded) expect(span.attributes).to.have.property(`llm.input_messages.${index}.role`);
      // input.value (the whole request, one slot) comes before the per-message keys.
      if (countLimit >= 64) expect(span.attributes['input.value']).to.be.a('string');
    });
  }

  it('at the exact limit every key is kept; one slot less, the least useful key (the tool definitions) gives way', async () => {
    // A span with room for every key is written as its entries come; one that has not, most useful first.
    const whole = await call(20, { attributeCountLimit: 10_000 }, false);
    const count = Object.keys(whole.attributes).length;
    const exact = await call(20, { attributeCountLimit: count }, false);
    expect(Object.keys(exact.attributes).sort()).to.deep.equal(Object.keys(whole.attributes).sort());
    expect(exact.attributes).not.to.have.property('vllm.input_messages.omitted');
    const short = await call(20, { attributeCountLimit: count - 1 }, false);
    expectAnswerKept(short);
    const missing = Object.keys(whole.attributes).filter(key => !(key in short.attributes));
    expect(missing).to.have.length(1);
    expect(['llm.tools', 'gen_ai.tool.definitions']).to.include(missing[0]);
    expect(recordedMessageIndexes(short)).to.have.length(20);
  });

  it('cuts every string value to maxValueLength, and to the SDK\'s attributeValueLengthLimit when that is shorter, marking the cut', async () => {
    const long = 'y'.repeat(5000);
    const tracing = suite.trace({ processor: { maxValueLength: 1000 }, spanLimits: { attributeValueLengthLimit: 300 } });
    suite.server.respondWith({ json: chatCompletion({ model: 'm', content: long }) });
    const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: long }] });
    const [span] = await tracing.waitForSpans(1);
    for (const key of ['llm.input_messages.0.content', 'llm.output_messages.0.content', 'input.value', 'output.value']) {
      const value = span.attributes[key] as string;
      expect(value, key).to.have.length(300);
      expect(value.endsWith(TRUNCATION_MARK), key).to.equal(true);
    }
  });

  it('keeps gen_ai.input.messages valid JSON past maxValueLength: the oldest messages go whole, the newest stay', async () => {
    const tracing = suite.trace({ processor: { maxValueLength: 2000 } });
    suite.server.respondWith({ json: chatCompletion({ model: 'm', content: ANSWER }) });
    const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
    const messages = conversation(120);
    await client.chat.completions.create({ model: 'm', messages });
    const [span] = await tracing.waitForSpans(1);
    const json = span.attributes['gen_ai.input.messages'] as string;
    expect(json.length).to.be.at.most(2000);
    const kept = JSON.parse(json) as Array<{ role: string; parts: Array<{ content?: string }> }>;
    expect(kept.length).to.be.within(2, 119);
    expect(kept[kept.length - 1].parts[0].content).to.equal('the latest question (119)');
  });

  it('cuts an error status that echoes a long prompt to maxValueLength', async () => {
    const tracing = suite.trace({ processor: { maxValueLength: 200 } });
    suite.server.respondWith({ status: 400, json: { error: { message: `bad request: ${'z'.repeat(10_000)}`, type: 'BadRequestError', param: null, code: 400 } } });
    const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
    const [span] = await tracing.waitForSpans(1);
    expect(span.status.message).to.have.length(200);
    expect(span.status.message!.endsWith(TRUNCATION_MARK)).to.equal(true);
  });
});
