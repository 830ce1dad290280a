import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AlwaysOffSampler, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import axios from 'axios';
import { expect } from 'chai';
import * as http from 'http';
import fetch from 'node-fetch';
import OpenAI from 'openai4';
import { httpRequestHook } from '../../src/capture/http-request-hook';
import { HttpTracing, type HttpTracingOptions } from '../support/http-tracing';
import { VllmTestServer } from '../support/vllm-server';
import { chatChunk, DONE_EVENT, sseEvent } from '../support/vllm-wire';

/** Node 22+ publishes `http.client.request.created`; on Node 20 the request body is seen through `httpRequestHook`. */
const HAS_CREATED_CHANNEL = Number(process.versions.node.split('.')[0]) >= 22;
const HOOK = HAS_CREATED_CHANNEL ? {} : { requestHook: httpRequestHook };

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('node:http clients through @opentelemetry/instrumentation-http', () => {
  let server: VllmTestServer;
  let tracing: HttpTracing | undefined;

  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server.close());
  afterEach(async () => {
    await tracing?.stop();
    tracing = undefined;
  });

  function trace(options: HttpTracingOptions = {}): HttpTracing {
    tracing = new HttpTracing({ ...options, instrumentation: { ...HOOK, ...options.instrumentation } });
    return tracing;
  }

  /** The one span of the test, once it ended; the capture holds nothing any more. */
  async function onlySpan(): Promise<ReadableSpan> {
    const [span] = await tracing!.waitForSpans(1);
    // A second span would come from a second instrumentation path (undici) or a retry.
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(tracing!.spans().map(s => s.name)).to.have.length(1);
    expect(tracing!.processor.liveCaptureCount).to.equal(0);
    return span;
  }

  /** The span id vLLM received in `traceparent` for the last request. */
  function propagatedSpanId(): string {
    return String(server.requests[server.requests.length - 1].headers.traceparent).split('-')[2];
  }

  for (const withoutOnEnding of [false, true]) {
    describe(withoutOnEnding ? 'on an SDK without onEnding (rewritten before the instrumentation ends the span)' : 'on an SDK with onEnding', () => {
      const openai = () => new OpenAI({ baseURL: server.baseUrl, apiKey: 'sk-secret', maxRetries: 0 });

      it('openai v4, not streamed: one LLM span of instrumentation-http, paired by the traceparent vLLM received', async () => {
        trace({ withoutOnEnding });
        const response = await openai().chat.completions.create({
          model: 'Qwen/Qwen3-8B',
          messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Name a prime.' }],
          max_tokens: 5,
          temperature: 0.2,
        });
        const span = await onlySpan();
        expect(span.instrumentationScope.name).to.equal('@opentelemetry/instrumentation-http');
        expect(span.kind).to.equal(SpanKind.CLIENT);
        expect(span.name).to.equal('chat Qwen/Qwen3-8B');
        expect(span.spanContext().spanId).to.equal(propagatedSpanId());
        expect(span.attributes['fi.span.kind']).to.equal('LLM');
        expect(span.attributes['gen_ai.request.temperature']).to.equal(0.2);
        expect(span.attributes['llm.input_messages.1.message.content'] ?? span.attributes['llm.input_messages.1.content']).to.equal('Name a prime.');
        expect(span.attributes['gen_ai.response.id']).to.equal(response.id);
        expect(span.attributes['gen_ai.usage.output_tokens']).to.equal(response.usage?.completion_tokens);
        expect(span.attributes['gen_ai.response.finish_reasons']).to.deep.equal(['length']);
        expect(span.status.code).to.not.equal(SpanStatusCode.ERROR);
      });

      it('openai v4, streamed: the stream is folded as it arrives and the app gets every chunk', async () => {
        trace({ withoutOnEnding });
        const stream = await openai().chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'count with me' }],
          max_tokens: 7,
          stream: true,
          stream_options: { include_usage: true },
        });
        let text = '';
        let chunks = 0;
        for await (const chunk of stream) {
          chunks++;
          text += chunk.choices[0]?.delta?.content ?? '';
        }
        const span = await onlySpan();
        expect(chunks).to.equal(9); // role chunk + 7 tokens + usage chunk
        expect(span.name).to.equal('chat m');
        expect(span.attributes['gen_ai.request.stream']).to.equal(true);
        expect(span.attributes['llm.output_messages.0.message.content'] ?? span.attributes['llm.output_messages.0.content']).to.equal(text);
        expect(span.attributes['gen_ai.usage.output_tokens']).to.equal(7);
        expect(span.attributes['gen_ai.response.time_to_first_chunk']).to.be.a('number');
      });

      it('openai v4 tool calls, streamed and not: every call and its arguments', async () => {
        trace({ withoutOnEnding });
        const request = { model: 'm', messages: [{ role: 'user' as const, content: 'get_weather in Paris' }], tools: [WEATHER_TOOL] };
        const whole = await openai().chat.completions.create(request);
        const stream = await openai().chat.completions.create({ ...request, stream: true });
        for await (const _ of stream) void _;
        const spans = await tracing!.waitForSpans(2);
        expect(tracing!.processor.liveCaptureCount).to.equal(0);
        const call = whole.choices[0].message.tool_calls![0];
        for (const span of spans) {
          expect(span.attributes['gen_ai.response.finish_reasons']).to.deep.equal(['tool_calls']);
          expect(span.attributes['llm.output_messages.0.tool_calls.0.function.name']).to.equal('get_weather');
          expect(span.attributes['llm.output_messages.0.tool_calls.0.function.arguments']).to.equal(call.function.arguments);
        }
      });

      it('a connection reset mid-stream: the span keeps what arrived and carries the error', async () => {
        trace({ withoutOnEnding });
        server.respondWith(r => ({ ...server.emulate(r), resetAfter: 3 }));
        const stream = await openai().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 8, stream: true });
        let failure: unknown;
        try {
          for await (const _ of stream) void _;
        } catch (error) {
          failure = error;
        }
        expect(failure).to.be.instanceOf(Error);
        const span = await onlySpan();
        expect(span.name).to.equal('chat m');
        expect(span.status.code).to.equal(SpanStatusCode.ERROR);
        expect(span.attributes['gen_ai.response.id']).to.be.a('string');
      });

      it('an abort by the app mid-stream: the app is unharmed and the capture lets go at once', async () => {
        trace({ withoutOnEnding });
        server.respondWith(r => ({ ...server.emulate(r), delayMs: 20 }));
        const controller = new AbortController();
        const stream = await openai().chat.completions.create(
          { model: 'm', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 50, stream: true },
          { signal: controller.signal },
        );
        let chunks = 0;
        try {
          for await (const _ of stream) if (++chunks === 3) controller.abort();
        } catch {
          // openai v4 throws APIUserAbortError or ends the iteration, by version.
        }
        expect(chunks).to.be.at.least(3);
        await new Promise(resolve => setTimeout(resolve, 50));
        // instrumentation-http never ends the span of an aborted request (its 'close' handler skips
        // `request.aborted`, and a destroyed response emits no 'error' without a listener): nothing to export.
        expect(tracing!.spans()).to.have.length(0);
        expect(tracing!.processor.liveCaptureCount).to.equal(0);
      });

      it("a vLLM error answer (404 of an unknown model): the span keeps vLLM's message and error type, which instrumentation-http sets again at the end", async () => {
        trace({ withoutOnEnding });
        server.respondWith({ status: 404, json: { object: 'error', message: 'The model `missing` does not exist.', type: 'NotFoundError', param: null, code: 404 } });
        const failure = await openai()
          .chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'hi' }] })
          .catch((error: unknown) => error);
        expect(failure).to.have.property('status', 404);
        const span = await onlySpan();
        expect(span.name).to.equal('chat missing');
        expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'The model `missing` does not exist.' });
        expect(span.attributes['error.type']).to.equal('NotFoundError');
      });

      it('a refused connection: the span is named for the call and carries the error', async () => {
        trace({ withoutOnEnding });
        const closed = await VllmTestServer.start();
        const baseURL = closed.baseUrl;
        await closed.close();
        const client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0 });
        let failure: unknown;
        try {
          await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
        } catch (error) {
          failure = error;
        }
        expect(failure).to.be.instanceOf(Error);
        const span = await onlySpan();
        expect(span.name).to.equal('chat m');
        expect(span.status.code).to.equal(SpanStatusCode.ERROR);
      });
    });
  }

  it('axios: a gzip-compressed JSON answer is decoded, and axios still gets its decoded object', async () => {
    trace();
    server.respondWith(r => ({ ...server.emulate(r), gzip: true }));
    const { data } = await axios.post(`${server.baseUrl}/completions`, { model: 'm', prompt: 'once upon a time', max_tokens: 4 });
    const span = await onlySpan();
    expect(server.requests[server.requests.length - 1].headers['accept-encoding']).to.include('gzip');
    expect(span.name).to.equal('text_completion m');
    expect(span.attributes['gen_ai.response.id']).to.equal(data.id);
    expect(span.attributes['gen_ai.usage.output_tokens']).to.equal(4);
    expect(span.attributes['vllm.capture.truncated']).to.equal(undefined);
  });

  it('node-fetch 2: a gzip-compressed stream is decoded as it arrives; the app reads exactly the decoded events', async () => {
    trace();
    const events = [
      sseEvent(chatChunk({ model: 'm', choices: [{ role: 'assistant', content: '' }] })),
      sseEvent(chatChunk({ model: 'm', choices: [{ content: 'Hel' }] })),
      sseEvent(chatChunk({ model: 'm', choices: [{ content: 'lo' , finishReason: 'stop' }] })),
      DONE_EVENT,
    ];
    server.respondWith({ events, gzip: true });
    const response = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(await response.text()).to.equal(events.join(''));
    const span = await onlySpan();
    expect(span.attributes['llm.output_messages.0.message.content'] ?? span.attributes['llm.output_messages.0.content']).to.equal('Hello');
    expect(span.attributes['gen_ai.response.finish_reasons']).to.deep.equal(['stop']);
  });

  it('the byte cap: vllm.capture.truncated is set and the app still reads every byte', async () => {
    trace({ processor: { maxBodyBytes: 300 } });
    const response = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'a long answer please' }], max_tokens: 50, stream: true }),
    });
    const text = await response.text();
    const span = await onlySpan();
    expect(Buffer.byteLength(text)).to.equal(server.requests[server.requests.length - 1].response.bytes);
    expect(text.endsWith(DONE_EVENT)).to.equal(true);
    expect(span.attributes['vllm.capture.truncated']).to.equal(true);
  });

  it('a request written in pieces (write, write, end) is captured whole', async () => {
    trace();
    const body = JSON.stringify({ model: 'piecewise', prompt: 'abc', max_tokens: 2 });
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${server.baseUrl}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, response => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.write(body.slice(0, 10));
      request.write(Buffer.from(body.slice(10, 20)));
      request.end(body.slice(20));
    });
    expect(status).to.equal(200);
    expect(server.requests[server.requests.length - 1].body).to.equal(body);
    const span = await onlySpan();
    expect(span.name).to.equal('text_completion piecewise');
  });

  it('back-pressure is intact: a paused response stops reading from the socket, and then delivers every byte in order', async () => {
    trace({ processor: { maxBodyBytes: 64 * 1024 * 1024 } });
    // 20,000 one-token events (~4 MB) written back-to-back: far more than the socket and stream buffers hold.
    server.respondWith(r => ({ ...server.emulate(r), coalesce: true }));
    const received: Buffer[] = [];
    let pausedLength = Infinity;
    await new Promise<void>((resolve, reject) => {
      const request = http.request(`${server.baseUrl}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, response => {
        response.pause();
        setTimeout(() => {
          // Without back-pressure the parser would go on pushing the whole ~4 MB into the paused stream.
          pausedLength = response.readableLength;
          response.on('data', chunk => received.push(chunk));
          response.on('end', () => resolve());
          response.resume();
        }, 200);
      });
      request.on('error', reject);
      request.end(JSON.stringify({ model: 'm', prompt: 'x', max_tokens: 20000, stream: true, stream_options: { include_usage: true } }));
    });
    // (Whether the server is still writing depends on the kernel's loopback buffers, which hold ~4 MB on some hosts.)
    expect(pausedLength).to.be.below(256 * 1024);
    const text = Buffer.concat(received).toString();
    expect(Buffer.byteLength(text)).to.equal(server.requests[server.requests.length - 1].response.bytes);
    expect(text.split('\n\n').filter(Boolean)).to.have.length(20000 + 2); // one event a token, the usage, [DONE]
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).to.equal(20000);
  });

  it('privacy: the same masking as on the undici path', async () => {
    trace({ processor: { traceConfig: { hideInputs: true } } });
    await axios.post(`${server.baseUrl}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'my secret' }], max_tokens: 2 });
    const span = await onlySpan();
    expect(span.attributes['fi.span.kind']).to.equal('LLM');
    expect(JSON.stringify(span.attributes)).to.not.include('my secret');
  });

  it('a span the sampler dropped: nothing is held and the request is not tapped', async () => {
    trace({ sampler: new AlwaysOffSampler() });
    let tapped: boolean | undefined;
    await new Promise<void>((resolve, reject) => {
      const request = http.request(`${server.baseUrl}/completions`, { method: 'POST' }, response => {
        tapped = Object.prototype.hasOwnProperty.call(response, 'push') || Object.prototype.hasOwnProperty.call(request, 'end');
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(JSON.stringify({ model: 'm', prompt: 'x', max_tokens: 2 }));
    });
    expect(tapped).to.equal(false);
    expect(tracing!.spans()).to.have.length(0);
    expect(tracing!.processor.liveCaptureCount).to.equal(0);
  });

  it('a call that is no inference (GET /v1/models) stays an HTTP span, untapped', async () => {
    trace();
    const { data } = await axios.get(`${server.baseUrl}/models`);
    expect(data.object).to.equal('list');
    const span = await onlySpan();
    expect(span.name).to.equal('GET');
    expect(span.attributes['fi.span.kind']).to.equal(undefined);
  });
});
