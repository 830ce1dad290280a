import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import OpenAI from 'openai';
import { outcomeOf, ProcessFailureWatch, streamOutcomeOf, type Outcome } from './support';
import { Tracing } from '../support/tracing';
import { VllmTestServer, type ScriptedResponse } from '../support/vllm-server';
import { chatStreamEvents } from '../support/vllm-wire';

const MESSAGES = [{ role: 'user' as const, content: 'bad input please' }];

/**
 * Each case runs the same call against the same scripted answer twice: once with no tracing
 * at all, once through UndiciInstrumentation + VLLMSpanProcessor. The application must see
 * the same thing both times, and the traced run must leave one ended, exported span.
 */
describe('reliability: bad input end to end through the real SDK', () => {
  let server: VllmTestServer;
  let tracing: Tracing | undefined;
  let watch: ProcessFailureWatch;
  // A fixed X-Request-Id makes the emulator answer both runs with the same ids.
  const client = () => new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0, defaultHeaders: { 'x-request-id': 'same' } });

  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server.close());
  beforeEach(() => {
    watch = new ProcessFailureWatch().arm();
  });
  afterEach(async () => {
    await tracing?.stop();
    tracing = undefined;
    expect(watch.disarm()).to.deep.equal([]);
  });

  /** Runs `call` untraced then traced, each against `script`; returns both outcomes and the span. */
  async function compare(script: ScriptedResponse, call: () => Promise<Outcome>, processor = {}): Promise<{ untraced: Outcome; traced: Outcome; span: ReadableSpan }> {
    server.respondWith(script);
    const untraced = await call();
    tracing = new Tracing({ processor });
    server.respondWith(script);
    const traced = await call();
    const [span] = await tracing.waitForSpans(1);
    expect(tracing.spans(), 'exactly one span').to.have.length(1);
    expect(span.ended).to.equal(true);
    expect(span.attributes['fi.span.kind']).to.equal('LLM');
    expect(span.attributes['llm.input_messages.0.content'], 'the request always maps').to.equal('bad input please');
    expect(tracing.processor.liveCaptureCount).to.equal(0);
    expect(traced, 'the application sees the same as without the processor').to.deep.equal(untraced);
    return { untraced, traced, span };
  }

  const create = () => outcomeOf(() => client().chat.completions.create({ model: 'm', messages: MESSAGES }));
  const stream = (onChunk?: (chunk: unknown, index: number) => void, signal?: AbortSignal) =>
    streamOutcomeOf(() => client().chat.completions.create({ model: 'm', messages: MESSAGES, stream: true }, { signal }), onChunk);
  const emulatedStream = (extra: object) => (request: Parameters<VllmTestServer['emulate']>[0]) => ({ ...server.emulate(request), ...extra });

  it('a 200 body that is not JSON: the SDK throws its own SyntaxError, the span keeps the request', async () => {
    const { traced, span } = await compare({ body: '{"id": "chatcmpl-1", "choices": [', headers: { 'content-type': 'application/json' } }, create);
    expect(traced.error?.class).to.equal('SyntaxError');
    expect(span.attributes['llm.output_messages.0.content']).to.equal(undefined);
    expect(span.status.code).to.equal(SpanStatusCode.UNSET);
  });

  it('a JSON body labelled text/plain: the app gets the text, the span still maps the valid body', async () => {
    const { traced, span } = await compare(request => ({ ...server.emulate(request), headers: { 'content-type': 'text/plain' } }), create);
    expect(traced.value).to.be.a('string');
    const body = JSON.parse(traced.value as string);
    expect(span.attributes['llm.output_messages.0.content']).to.equal(body.choices[0].message.content);
  });

  it('an event stream without content-type: sniffed as SSE, as the SDK reads it', async () => {
    const { traced, span } = await compare(emulatedStream({ headers: { 'content-type': null } }), () => stream());
    expect(traced.chunks!.length).to.be.greaterThan(3);
    expect(span.attributes['llm.output_messages.0.content']).to.be.a('string').with.length.greaterThan(0);
  });

  it('gzip that does not decode: the app gets the same decoding error, the span keeps the request', async () => {
    const { traced, span } = await compare({ body: Buffer.from('this is not gzip at all'), headers: { 'content-encoding': 'gzip' } }, create);
    expect(traced.error, 'fetch fails to decode').to.not.equal(undefined);
    expect(span.attributes['llm.output_messages.0.content']).to.equal(undefined);
  });

  it('a JSON body larger than maxBodyBytes: the app gets every byte, the span says truncated', async () => {
    const maxBodyBytes = 2048;
    const call = () =>
      outcomeOf(async () => {
        const response = await fetch(`${server.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'x-request-id': 'same' },
          body: JSON.stringify({ model: 'm', messages: MESSAGES, max_tokens: 1500 }),
        });
        return Buffer.from(await response.arrayBuffer()).toString('base64');
      });
    const { traced, span } = await compare(request => server.emulate(request), call, { maxBodyBytes });
    expect(Buffer.from(traced.value as string, 'base64').length).to.be.greaterThan(6000);
    expect(span.attributes['vllm.capture.truncated']).to.equal(true);
    expect(span.attributes['llm.output_messages.0.content'], 'a cut JSON body maps nothing').to.equal(undefined);
  });

  it('a stream larger than maxBodyBytes: the app gets every chunk, the span keeps the events before the cap', async () => {
    const { traced, span } = await compare(
      emulatedStream({}),
      () => streamOutcomeOf(() => client().chat.completions.create({ model: 'm', messages: MESSAGES, stream: true, max_tokens: 200 })),
      { maxBodyBytes: 4096 },
    );
    const content = (traced.chunks as Array<{ choices: Array<{ delta: { content?: string } }> }>).map(chunk => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content).to.have.length(800);
    expect(span.attributes['vllm.capture.truncated']).to.equal(true);
    const partial = span.attributes['llm.output_messages.0.content'] as string;
    expect(partial.length).to.be.greaterThan(20).and.lessThan(content.length);
    expect(content.startsWith(partial)).to.equal(true);
  });

  it('a connection reset mid-stream: the same error reaches the app, the span is an ERROR with the partial output', async () => {
    const { traced, span } = await compare(emulatedStream({ resetAfter: 4 }), () => stream());
    expect(traced.error).to.not.equal(undefined);
    expect(traced.chunks!.length).to.be.greaterThan(0);
    expect(span.status.code).to.equal(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).to.be.a('string');
    expect(span.attributes['llm.output_messages.0.role']).to.equal('assistant');
  });

  it('a stream that ends without [DONE]: the app reads it all, the span has the whole output', async () => {
    const events = chatStreamEvents({ content: ['no ', 'done ', 'here'], done: false });
    const { traced, span } = await compare({ events }, () => stream());
    expect(traced.error).to.equal(undefined);
    expect(span.attributes['llm.output_messages.0.content']).to.equal('no done here');
    expect(span.status.code).to.equal(SpanStatusCode.UNSET);
  });

  it('a client abort after the first chunk: the app sees the same abort, the span ends without error status', async () => {
    const abortAfterFirst = () => {
      const controller = new AbortController();
      return stream(() => controller.abort(), controller.signal);
    };
    const { traced, span } = await compare(emulatedStream({ delayMs: 30 }), abortAfterFirst);
    expect(traced.chunks).to.have.length(1);
    expect(span.status.code).to.equal(SpanStatusCode.UNSET);
    expect(span.attributes['llm.output_messages.0.role']).to.equal('assistant');
    expect(span.attributes['gen_ai.response.finish_reasons']).to.equal(undefined);
  });

  it('an HTTP 500 with an HTML page: the SDK throws InternalServerError, the span is an ERROR "HTTP 500"', async () => {
    const html = '<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>';
    const { traced, span } = await compare({ status: 500, body: html, headers: { 'content-type': 'text/html' } }, create);
    expect(traced.error).to.include({ class: 'InternalServerError', status: 500 });
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'HTTP 500' });
    expect(span.attributes['error.type']).to.equal('500');
  });
});
