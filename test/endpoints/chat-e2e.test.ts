import { expect } from 'chai';
import * as fs from 'fs';
import OpenAI from 'openai';
import * as path from 'path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { FOLD_BATCH_BYTES } from '../../src/interpret/stream-fold';
import { Tracing, type SubscriptionOrder } from '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';
import { chatChunk, flatError, nestedError, sseEvent, DONE_EVENT, streamErrorEvent } from '../support/vllm-wire';
import { TEST_DIR } from '../support/paths';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const TIME_TOOL = {
  type: 'function' as const,
  function: { name: 'get_time', description: 'Current time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
};

/** Attributes that differ between two runs of the same call. */
const VOLATILE = /^(gen_ai\.response\.id|gen_ai\.response\.time_to_first_chunk|server\.port|network\.peer\.port|url\.full|output\.value|llm\.output_messages\.\d+\.tool_calls\.\d+\.id)$/;

function stableAttributes(span: ReadableSpan): Record<string, unknown> {
  return Object.fromEntries(Object.entries(span.attributes).filter(([key]) => !VOLATILE.test(key)));
}

describe('chat completions through the real openai SDK', () => {
  let server: VllmTestServer;
  let tracing: Tracing;
  let client: OpenAI;

  before(async () => {
    server = await VllmTestServer.start({ reasoningTokens: 0 });
  });
  after(() => server.close());

  for (const order of ['processor-first', 'instrumentation-first'] as SubscriptionOrder[]) {
    describe(`with the ${order} subscription order`, () => {
      beforeEach(() => {
        tracing = new Tracing({ order });
        client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'sk-secret-key-1234', maxRetries: 0 });
      });
      afterEach(() => tracing.stop());

      it('turns a non-stream call into one CLIENT span named "chat {model}" whose traceparent reached vLLM', async () => {
        const response = await client.chat.completions.create({
          model: 'Qwen/Qwen3-8B',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Name a prime.' },
          ],
          temperature: 0.3,
          top_p: 0.8,
          max_tokens: 6,
          seed: 11,
          stop: ['END'],
          n: 1,
        });
        const span = tracing.onlySpan();
        expect(span.name).to.equal('chat Qwen/Qwen3-8B');
        expect(span.kind).to.equal(SpanKind.CLIENT);
        const traceparent = server.requests.at(-1)!.headers.traceparent;
        expect(traceparent).to.equal(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
        const a = span.attributes;
        expect(a['fi.span.kind']).to.equal('LLM');
        expect(a['llm.system']).to.equal('vllm');
        expect(a['llm.provider']).to.equal('vllm');
        expect(a['gen_ai.provider.name']).to.equal('vllm');
        expect(a['gen_ai.operation.name']).to.equal('chat');
        expect(a['llm.model']).to.equal('Qwen/Qwen3-8B');
        expect(a['gen_ai.request.model']).to.equal('Qwen/Qwen3-8B');
        expect(a['gen_ai.request.temperature']).to.equal(0.3);
        expect(a['gen_ai.request.top_p']).to.equal(0.8);
        expect(a['gen_ai.request.max_tokens']).to.equal(6);
        expect(a['gen_ai.request.seed']).to.equal(11);
        expect(a['gen_ai.request.stop_sequences']).to.deep.equal(['END']);
        expect(a['gen_ai.request.choice.count']).to.equal(1);
        expect(a['llm.input_messages.0.role']).to.equal('system');
        expect(a['llm.input_messages.0.content']).to.equal('Be brief.');
        expect(a['llm.input_messages.1.content']).to.equal('Name a prime.');
        expect(a['llm.output_messages.0.role']).to.equal('assistant');
        expect(a['llm.output_messages.0.content']).to.equal(response.choices[0].message.content);
        expect(a['gen_ai.response.id']).to.equal(response.id);
        expect(a['gen_ai.response.model']).to.equal(response.model);
        expect(a['gen_ai.response.finish_reasons']).to.deep.equal([response.choices[0].finish_reason]);
        expect(a['llm.token_count.prompt']).to.equal(response.usage!.prompt_tokens);
        expect(a['llm.token_count.completion']).to.equal(response.usage!.completion_tokens);
        expect(a['llm.token_count.total']).to.equal(response.usage!.total_tokens);
        expect(a['gen_ai.usage.input_tokens']).to.equal(response.usage!.prompt_tokens);
        expect(a['gen_ai.usage.output_tokens']).to.equal(response.usage!.completion_tokens);
        expect(JSON.parse(a['input.value'] as string).messages).to.have.length(2);
        expect(a['input.mime_type']).to.equal('application/json');
        expect(JSON.parse(a['output.value'] as string).id).to.equal(response.id);
        expect(JSON.parse(a['llm.invocation_parameters'] as string)).to.include({ temperature: 0.3, max_tokens: 6 });
        expect(span.status.code).to.equal(SpanStatusCode.UNSET);
        expect(JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })).not.to.contain('sk-secret-key-1234');
        expect(tracing.processor.liveCaptureCount).to.equal(0);
      });

      it('assembles parallel streamed tool calls by index exactly as the SDK does, with usage from the last chunk', async () => {
        // Split every 7 bytes: events and JSON tokens are cut across TCP writes.
        server.respondWith(request => ({ ...server.emulate(request), splitEvery: 7 }));
        const stream = client.chat.completions.stream({
          model: 'm',
          messages: [{ role: 'user', content: 'call get_weather and get_time' }],
          tools: [WEATHER_TOOL, TIME_TOOL],
          stream_options: { include_usage: true },
        });
        const final = await stream.finalChatCompletion();
        const [span] = await tracing.waitForSpans(1);
        const a = span.attributes;
        const sdkCalls = final.choices[0].message.tool_calls!;
        expect(sdkCalls).to.have.length(2);
        sdkCalls.forEach((call, m) => {
          if (call.type !== 'function') throw new Error('expected a function call');
          expect(a[`llm.output_messages.0.tool_calls.${m}.id`]).to.equal(call.id);
          expect(a[`llm.output_messages.0.tool_calls.${m}.function.name`]).to.equal(call.function.name);
          expect(a[`llm.output_messages.0.tool_calls.${m}.function.arguments`]).to.equal(call.function.arguments);
          expect(JSON.parse(call.function.arguments)).to.be.an('object');
        });
        expect(a['gen_ai.response.finish_reasons']).to.deep.equal(['tool_calls']);
        expect(a['llm.token_count.total']).to.equal(final.usage!.total_tokens);
        expect(a['llm.token_count.completion']).to.equal(final.usage!.completion_tokens);
        expect(JSON.parse(a['llm.tools'] as string).map((t: { function: { name: string } }) => t.function.name)).to.deep.equal(['get_weather', 'get_time']);
        expect(a['gen_ai.response.time_to_first_chunk']).to.be.a('number').greaterThan(0);
        expect(server.requests.at(-1)!.response.writes).to.be.greaterThan(10);
      });
    });
  }

  describe('stream shapes and errors', () => {
    beforeEach(() => {
      tracing = new Tracing();
      client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
    });
    afterEach(() => tracing.stop());

    async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    }

    it('gives both subscription orders the same span for the same call', async () => {
      const attributesByOrder: Array<Record<string, unknown>> = [];
      await tracing.stop();
      for (const order of ['processor-first', 'instrumentation-first'] as SubscriptionOrder[]) {
        tracing = new Tracing({ order });
        await drain(await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'same' }], stream: true, stream_options: { include_usage: true } }));
        const [span] = await tracing.waitForSpans(1);
        attributesByOrder.push(stableAttributes(span));
        await tracing.stop();
      }
      tracing = new Tracing();
      expect(attributesByOrder[0]).to.deep.equal(attributesByOrder[1]);
      expect(attributesByOrder[0]['llm.token_count.total']).to.be.a('number');
    });

    it('concatenates content per choice and reasoning under either key', async () => {
      for (const reasoningKey of ['reasoning_content', 'reasoning'] as const) {
        const reasoningServer = await VllmTestServer.start({ reasoningTokens: 3, reasoningKey });
        try {
          const reasoningClient = new OpenAI({ baseURL: reasoningServer.baseUrl, apiKey: 'x', maxRetries: 0 });
          const chunks = (await drain(
            await reasoningClient.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'think' }], stream: true, n: 2, max_tokens: 8 }),
          )) as Array<{ choices: Array<{ index: number; delta: Record<string, string | undefined> }> }>;
          const text = (index: number, key: string) =>
            chunks.flatMap(c => c.choices.filter(choice => choice.index === index).map(choice => choice.delta[key] ?? '')).join('');
          const spans = await tracing.waitForSpans(1);
          const a = spans.at(-1)!.attributes;
          for (const index of [0, 1]) {
            expect(a[`llm.output_messages.${index}.content`], reasoningKey).to.equal(text(index, 'content'));
            expect(a[`llm.output_messages.${index}.reasoning`], reasoningKey).to.equal(text(index, reasoningKey));
          }
          expect(a['llm.output_messages.0.reasoning']).to.have.length.greaterThan(0);
          expect(a['gen_ai.response.finish_reasons']).to.deep.equal(['length', 'length']);
          tracing.exporter.reset();
        } finally {
          await reasoningServer.close();
        }
      }
    });

    it('folds a stream of several 64 KiB batches, cut mid-event, as the SDK assembled it, in both subscription orders', async () => {
      await tracing.stop();
      const recut = (request: Parameters<VllmTestServer['emulate']>[0]) => ({ ...server.emulate(request), splitEvery: 1000 });
      server.respondWith(recut, recut);
      for (const order of ['processor-first', 'instrumentation-first'] as SubscriptionOrder[]) {
        tracing = new Tracing({ order });
        const chunks = (await drain(
          await client.chat.completions.create({
            model: 'm',
            messages: [{ role: 'user', content: 'a long answer é 😀' }],
            stream: true,
            max_tokens: 800,
            stream_options: { include_usage: true },
          }),
        )) as Array<{ choices: Array<{ delta: { content?: string } }>; usage?: { completion_tokens: number } | null }>;
        const [span] = await tracing.waitForSpans(1);
        const eventBytes = chunks.reduce((sum, chunk) => sum + JSON.stringify(chunk).length, 0);
        expect(eventBytes, 'the stream spans several batches').to.be.greaterThan(2 * FOLD_BATCH_BYTES);
        const content = chunks.flatMap(chunk => chunk.choices.map(choice => choice.delta.content ?? '')).join('');
        expect(span.attributes['llm.output_messages.0.content'], order).to.equal(content);
        expect(span.attributes['llm.token_count.completion'], order).to.equal(chunks.at(-1)!.usage!.completion_tokens);
        expect(span.attributes['vllm.capture.truncated'], order).to.equal(undefined);
        await tracing.stop();
      }
      tracing = new Tracing();
    });

    it('takes usage from the last cumulative chunk with continuous_usage_stats', async () => {
      const chunks = (await drain(
        await client.chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'count' }],
          stream: true,
          max_tokens: 5,
          stream_options: { include_usage: true, continuous_usage_stats: true } as never,
        }),
      )) as Array<{ usage?: { completion_tokens: number; total_tokens: number } | null }>;
      const usages = chunks.map(c => c.usage).filter(u => u != null);
      expect(usages.length).to.be.greaterThan(2);
      const [span] = await tracing.waitForSpans(1);
      expect(span.attributes['llm.token_count.completion']).to.equal(usages.at(-1)!.completion_tokens);
      expect(span.attributes['llm.token_count.total']).to.equal(usages.at(-1)!.total_tokens);
    });

    it('reads a stream that answers with one whole-response event', async () => {
      server.respondWith({
        events: [
          sseEvent({ id: 'chatcmpl-whole', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'all at once', tool_calls: [] }, finish_reason: 'stop', stop_reason: null }], usage: { prompt_tokens: 3, total_tokens: 6, completion_tokens: 3 } }),
          DONE_EVENT,
        ],
      });
      await drain(await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }));
      const [span] = await tracing.waitForSpans(1);
      expect(span.attributes['llm.output_messages.0.content']).to.equal('all at once');
      expect(span.attributes['llm.token_count.total']).to.equal(6);
    });

    it('measures time to first chunk from the request start to the first body byte', async () => {
      server.respondWith(async request => {
        await new Promise(resolve => setTimeout(resolve, 60));
        return { ...server.emulate(request), delayMs: 20 };
      });
      await drain(await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'slow' }], stream: true, max_tokens: 4 }));
      const [span] = await tracing.waitForSpans(1);
      const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
      const durationSeconds = span.duration[0] + span.duration[1] / 1e9;
      expect(ttfc).to.be.at.least(0.055);
      // Four more writes 20 ms apart follow the first chunk.
      expect(durationSeconds - ttfc).to.be.at.least(0.05);
    });

    it('records a nested vLLM error (HTTP 404) as an ERROR span with its message and type', async () => {
      server.respondWith({ status: 404, json: nestedError('The model `nope` does not exist.', 'NotFoundError', 404) });
      const failure = await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e);
      expect(failure).to.be.instanceOf(OpenAI.NotFoundError);
      const span = tracing.onlySpan();
      expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'The model `nope` does not exist.' });
      expect(span.attributes['error.type']).to.equal('NotFoundError');
      expect(span.attributes['llm.model']).to.equal('nope');
      expect(span.name).to.equal('chat nope');
    });

    it('records a legacy flat vLLM error (HTTP 400)', async () => {
      server.respondWith({ status: 400, json: flatError("This model's maximum context length is 4096 tokens.", 'BadRequestError', 400) });
      await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
      const span = tracing.onlySpan();
      expect(span.status.message).to.equal("This model's maximum context length is 4096 tokens.");
      expect(span.attributes['error.type']).to.equal('BadRequestError');
    });

    it('records an error event inside an HTTP 200 stream and keeps the partial output', async () => {
      const envelope = { id: 'chatcmpl-partial', model: 'm' };
      server.respondWith({
        events: [
          sseEvent(chatChunk({ ...envelope, choices: [{ index: 0, role: 'assistant', content: '' }] })),
          sseEvent(chatChunk({ ...envelope, choices: [{ index: 0, content: 'Once upon' }] })),
          streamErrorEvent('engine died', 'InternalServerError', 500),
          DONE_EVENT,
        ],
      });
      const failure = await drain(await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'story' }], stream: true })).catch(e => e);
      expect(failure).to.be.instanceOf(Error);
      const [span] = await tracing.waitForSpans(1);
      expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'engine died' });
      expect(span.attributes['error.type']).to.equal('InternalServerError');
      expect(span.attributes['llm.output_messages.0.content']).to.equal('Once upon');
    });

    it('keeps what arrived when the client aborts mid-stream, without an error status', async () => {
      server.respondWith(request => ({ ...server.emulate(request), delayMs: 30 }));
      const controller = new AbortController();
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'abort me' }], stream: true, max_tokens: 50 }, { signal: controller.signal });
      let received = '';
      // The SDK ends the iteration quietly (or throws APIUserAbortError, depending on timing).
      await (async () => {
        for await (const chunk of stream) {
          received += chunk.choices[0]?.delta?.content ?? '';
          if (received.length >= 8) controller.abort();
        }
      })().catch(e => expect(e).to.be.instanceOf(OpenAI.APIUserAbortError));
      expect(received.length).to.be.within(8, 49 * 4);
      const [span] = await tracing.waitForSpans(1);
      expect(span.status.code).to.equal(SpanStatusCode.UNSET);
      expect(span.attributes['llm.output_messages.0.content']).to.be.a('string').and.satisfy((text: string) => text.startsWith(received));
      expect(span.attributes['gen_ai.response.finish_reasons']).to.equal(undefined);
      expect(tracing.processor.liveCaptureCount).to.equal(0);
    });

    it('gives each of 20 concurrent streams its own request and response', async () => {
      const prompts = Array.from({ length: 20 }, (_, i) => `marker-${i}`);
      server.respondWith(...prompts.map(() => (request: Parameters<VllmTestServer['emulate']>[0]) => ({ ...server.emulate(request), delayMs: 2 })));
      await Promise.all(prompts.map(async prompt => drain(await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: prompt }], stream: true, max_tokens: 6 }))));
      const spans = await tracing.waitForSpans(20);
      for (const span of spans) {
        const prompt = span.attributes['llm.input_messages.0.content'] as string;
        expect(prompts).to.include(prompt);
        // The emulator answers with the prompt's own text, so a mixed-up body shows at once.
        expect(span.attributes['llm.output_messages.0.content']).to.equal(`${prompt} ${prompt} ${prompt}`.slice(0, 24));
      }
      expect(new Set(spans.map(s => s.attributes['llm.input_messages.0.content'])).size).to.equal(20);
    });

    it('gives two tracer providers, each with its own processor, each its own rewritten span of the same call', async () => {
      // Both captures hold a record for the same undici request: neither may see the other's.
      const second = new Tracing({ order: 'instrumentation-first', processor: { maxBodyBytes: 700 } });
      try {
        const chunks = await drain(await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'twice' }], stream: true, max_tokens: 6 }));
        const received = (chunks as Array<{ choices: Array<{ delta: { content?: string } }> }>).map(chunk => chunk.choices[0]?.delta.content ?? '').join('');
        const [first] = await tracing.waitForSpans(1);
        const [other] = await second.waitForSpans(1);
        expect(first.spanContext().spanId).to.not.equal(other.spanContext().spanId);
        for (const span of [first, other]) expect(span.attributes['llm.input_messages.0.content']).to.equal('twice');
        const whole = first.attributes['llm.output_messages.0.content'] as string;
        expect(whole).to.equal(received);
        expect(first.attributes['vllm.capture.truncated']).to.equal(undefined);
        // The second processor's own cap applied to its own copy of the bytes: fewer complete events.
        expect(other.attributes['vllm.capture.truncated']).to.equal(true);
        const cut = other.attributes['llm.output_messages.0.content'] as string;
        expect(whole.startsWith(cut) && cut.length < whole.length, `"${cut}" is a prefix of "${whole}"`).to.equal(true);
        expect([tracing.processor.liveCaptureCount, second.processor.liveCaptureCount]).to.deep.equal([0, 0]);
      } finally {
        await second.stop();
      }
    });

    it('decodes a gzip response', async () => {
      server.respondWith(request => ({ ...server.emulate(request), gzip: true }));
      const response = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'zip' }] });
      expect(tracing.onlySpan().attributes['llm.output_messages.0.content']).to.equal(response.choices[0].message.content);
    });

    it('still maps the request when the response fails its schema, and the app gets its body unchanged', async () => {
      server.respondWith({ json: { id: 'x', object: 'chat.completion', choices: 'not a list' } });
      const response = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'odd' }] });
      expect(response.choices).to.equal('not a list');
      const span = tracing.onlySpan();
      expect(span.attributes['fi.span.kind']).to.equal('LLM');
      expect(span.attributes['llm.input_messages.0.content']).to.equal('odd');
      expect(span.attributes['llm.output_messages.0.content']).to.equal(undefined);
    });

    it('follows a vLLM behind a path-prefix proxy', async () => {
      const proxied = new OpenAI({ baseURL: `${server.origin}/llama/v1`, apiKey: 'x', maxRetries: 0 });
      await proxied.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'proxy' }] });
      expect(tracing.onlySpan().name).to.equal('chat m');
    });

    it('traces plain fetch the same way as the SDK', async () => {
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fetch-model', messages: [{ role: 'user', content: 'plain fetch' }], stream: true, stream_options: { include_usage: true } }),
      });
      const text = await response.text();
      expect(text.endsWith('data: [DONE]\n\n')).to.equal(true);
      const [span] = await tracing.waitForSpans(1);
      expect(span.name).to.equal('chat fetch-model');
      expect(span.attributes['llm.input_messages.0.content']).to.equal('plain fetch');
      expect(span.attributes['llm.token_count.total']).to.be.a('number');
    });
  });

  describe('what is not a vLLM call', () => {
    afterEach(() => tracing.stop());

    it('leaves a host that does not match baseUrlPattern untouched', async () => {
      tracing = new Tracing({ processor: { baseUrlPattern: 'vllm.internal:8000' } });
      client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
      await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'elsewhere' }] });
      const span = tracing.onlySpan();
      expect(span.name).to.equal('POST');
      expect(Object.keys(span.attributes).filter(key => /^(fi|llm|gen_ai|input|output)\./.test(key))).to.deep.equal([]);
      expect(tracing.processor.liveCaptureCount).to.equal(0);
    });

    it('traces a host that matches a RegExp baseUrlPattern', async () => {
      tracing = new Tracing({ processor: { baseUrlPattern: /127\.0\.0\.1:\d+/ } });
      client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
      await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'here' }] });
      expect(tracing.onlySpan().name).to.equal('chat m');
    });

    it('leaves GET /v1/models as the instrumentation made it', async () => {
      tracing = new Tracing();
      client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
      await client.models.list();
      const span = tracing.onlySpan();
      expect(span.name).to.equal('GET');
      expect(span.attributes['fi.span.kind']).to.equal(undefined);
    });
  });
});

describe('real vLLM bodies from test/fixtures/real-vllm', () => {
  const FIXTURES = path.join(TEST_DIR, 'fixtures/real-vllm');
  let server: VllmTestServer;
  let tracing: Tracing;
  let client: OpenAI;

  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server?.close());
  beforeEach(() => {
    tracing = new Tracing();
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
  });
  afterEach(() => tracing.stop());

  it('maps the recorded non-stream chat completion', async () => {
    server.respondWith({ body: fs.readFileSync(path.join(FIXTURES, '03_vllm-ascend_chat_completion_nonstream.json')) });
    const response = await client.chat.completions.create({ model: 'Qwen/Qwen3-VL-8B-Instruct', messages: [{ role: 'user', content: 'What is the text?' }] });
    const a = tracing.onlySpan().attributes;
    expect(a['llm.output_messages.0.content']).to.equal(response.choices[0].message.content);
    expect([a['llm.token_count.prompt'], a['llm.token_count.completion'], a['llm.token_count.total']]).to.deep.equal([107, 16, 123]);
    expect(a['gen_ai.response.id']).to.equal(response.id);
  });

  it('maps the recorded streamed tool call with continuous usage', async () => {
    // Events split at their blank lines into separate writes, as vLLM flushes them.
    const sse = fs.readFileSync(path.join(FIXTURES, '07_nim-vllm_chat_stream_toolcall_continuous_usage.sse'), 'utf8');
    server.respondWith({ events: sse.split(/(?<=\n\n)/) });
    const final = await client.chat.completions.stream({ model: 'meta/llama-3.1-8b-instruct:fp8', messages: [{ role: 'user', content: 'news?' }] }).finalChatCompletion();
    const [span] = await tracing.waitForSpans(1);
    const call = final.choices[0].message.tool_calls![0];
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(span.attributes['llm.output_messages.0.tool_calls.0.function.name']).to.equal(call.function.name);
    expect(span.attributes['llm.output_messages.0.tool_calls.0.function.arguments']).to.equal(call.function.arguments);
    expect(span.attributes['vllm.stop_reason']).to.deep.equal(['128008']);
    expect(span.attributes['llm.token_count.total']).to.equal(246);
  });
});
