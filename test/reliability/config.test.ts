import { diag, SpanStatusCode, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { expect } from 'chai';
import OpenAI from 'openai';
import * as sinon from 'sinon';
import { VLLMSpanProcessor } from '../../src';
import { outcomeOf, ProcessFailureWatch } from './support';
import { Tracing } from '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';

describe('reliability: bad configuration fails at construction with a clear message', () => {
  const cases: Array<[string, unknown, ErrorConstructor, RegExp]> = [
    ['options that are a string', 'localhost:8000', TypeError, /options must be an object/],
    ['options that are a number', 42, TypeError, /options must be an object/],
    ['options that are null', null, TypeError, /options must be an object/],
    ['options that are an array', [{ baseUrlPattern: 'x' }], TypeError, /options must be an object/],
    ['a numeric baseUrlPattern', { baseUrlPattern: 8000 }, TypeError, /baseUrlPattern must be a string or a RegExp, got number/],
    ['an object baseUrlPattern', { baseUrlPattern: { host: 'vllm' } }, TypeError, /baseUrlPattern must be a string or a RegExp/],
    ['an array baseUrlPattern', { baseUrlPattern: ['vllm:8000'] }, TypeError, /baseUrlPattern must be a string or a RegExp/],
    ['an empty baseUrlPattern', { baseUrlPattern: '' }, TypeError, /baseUrlPattern must not be an empty string/],
    ['a negative maxBodyBytes', { maxBodyBytes: -1 }, RangeError, /maxBodyBytes must be a positive integer, got -1/],
    ['a zero maxBodyBytes', { maxBodyBytes: 0 }, RangeError, /maxBodyBytes must be a positive integer, got 0/],
    ['a NaN maxBodyBytes', { maxBodyBytes: NaN }, RangeError, /maxBodyBytes must be a positive integer, got NaN/],
    ['a fractional maxBodyBytes', { maxBodyBytes: 1.5 }, RangeError, /maxBodyBytes must be a positive integer, got 1\.5/],
    ['an infinite maxBodyBytes', { maxBodyBytes: Infinity }, RangeError, /maxBodyBytes must be a positive integer, got Infinity/],
    ['a string maxBodyBytes', { maxBodyBytes: '1024' }, RangeError, /maxBodyBytes must be a positive integer, got "1024"/],
  ];

  for (const [what, options, errorClass, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => new VLLMSpanProcessor(options as never)).to.throw(errorClass, message);
    });
  }

  it('accepts the documented forms', async () => {
    for (const options of [undefined, {}, { baseUrlPattern: 'localhost:8000' }, { baseUrlPattern: /vllm\.internal:\d+/g }, { maxBodyBytes: 1 }]) {
      await new VLLMSpanProcessor(options).shutdown();
    }
  });
});

describe('reliability: nothing on the per-span path throws', () => {
  let server: VllmTestServer;
  let watch: ProcessFailureWatch;

  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server.close());
  beforeEach(() => {
    watch = new ProcessFailureWatch().arm();
  });
  afterEach(() => {
    sinon.restore();
    expect(watch.disarm(), 'no uncaught exception or unhandled rejection').to.deep.equal([]);
  });

  const chat = (stream: boolean) => async () => {
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0, defaultHeaders: { 'x-request-id': 'same' } });
    if (!stream) return client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'per-span path' }] });
    const chunks: unknown[] = [];
    for await (const chunk of await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'per-span path' }], stream: true })) chunks.push(chunk);
    return chunks;
  };

  function expectRewritten(span: ReadableSpan): void {
    expect(span.name).to.equal('chat m');
    expect(span.attributes['llm.input_messages.0.content']).to.equal('per-span path');
    expect(span.attributes['llm.output_messages.0.content']).to.be.a('string').with.length.greaterThan(0);
    expect(span.status.code).to.equal(SpanStatusCode.UNSET);
  }

  for (const stream of [false, true]) {
    it(`keeps the app's ${stream ? 'stream' : 'call'} and the span intact when every UndiciInstrumentation hook throws`, async () => {
      const untraced = await outcomeOf(chat(stream));
      const boom = () => {
        throw new Error('user hook failed');
      };
      const tracing = new Tracing({ instrumentation: { requestHook: boom, responseHook: boom, startSpanHook: boom } });
      try {
        const traced = await outcomeOf(chat(stream));
        expect(traced).to.deep.equal(untraced);
        expect(traced.error).to.equal(undefined);
        const [span] = await tracing.waitForSpans(1);
        expectRewritten(span);
        expect(tracing.processor.liveCaptureCount).to.equal(0);
      } finally {
        await tracing.stop();
      }
    });
  }

  /** A provider with the vLLM processor, a broken exporter behind `brokenProcessor`, and a working in-memory exporter. */
  async function withBrokenExporter(brokenExporter: SpanExporter, batch: boolean, run: (memory: InMemorySpanExporter) => Promise<void>): Promise<void> {
    const processor = new VLLMSpanProcessor();
    const instrumentation = new UndiciInstrumentation();
    const memory = new InMemorySpanExporter();
    const broken = batch ? new BatchSpanProcessor(brokenExporter, { scheduledDelayMillis: 1 }) : new SimpleSpanProcessor(brokenExporter);
    const provider = new NodeTracerProvider({ spanProcessors: [processor, broken, new SimpleSpanProcessor(memory)] });
    instrumentation.setTracerProvider(provider);
    try {
      await run(memory);
      expect(processor.liveCaptureCount).to.equal(0);
    } finally {
      instrumentation.disable();
      await provider.shutdown().catch(() => undefined);
      await processor.shutdown();
    }
  }

  const throwingExporter = (): SpanExporter => ({
    export() {
      throw new Error('exporter exploded');
    },
    shutdown: () => Promise.resolve(),
  });
  const failingExporter = (): SpanExporter => ({
    export(_spans: ReadableSpan[], done: (result: ExportResult) => void) {
      done({ code: ExportResultCode.FAILED, error: new Error('collector unreachable') });
    },
    shutdown: () => Promise.reject(new Error('shutdown failed too')),
  });

  for (const [name, exporter] of [
    ['throws in export', throwingExporter],
    ['reports a failed export', failingExporter],
  ] as const) {
    for (const batch of [false, true]) {
      it(`keeps the app's call and the other exporters' spans when a downstream exporter ${name} (${batch ? 'Batch' : 'Simple'}SpanProcessor)`, async () => {
        // The SDK reports export failures to diag.error; keep them off the test output.
        sinon.stub(diag, 'error');
        const untraced = await outcomeOf(chat(true));
        await withBrokenExporter(exporter(), batch, async memory => {
          const traced = await outcomeOf(chat(true));
          expect(traced).to.deep.equal(untraced);
          await waitFor(() => memory.getFinishedSpans().length === 1);
          expectRewritten(memory.getFinishedSpans()[0]);
        });
      });
    }
  }

  it('keeps the app and the span intact when the meter provider throws on every call', async () => {
    sinon.stub(diag, 'error');
    const brokenMeters = {
      getMeter: () => {
        throw new Error('meter provider exploded');
      },
    } as unknown as MeterProvider;
    const untraced = await outcomeOf(chat(false));
    const tracing = new Tracing({ processor: { meterProvider: brokenMeters } });
    try {
      const traced = await outcomeOf(chat(false));
      expect(traced).to.deep.equal(untraced);
      const [span] = await tracing.waitForSpans(1);
      expectRewritten(span);
    } finally {
      await tracing.stop();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}
