import { expect } from 'chai';
import * as sinon from 'sinon';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Tracing } from '../support/tracing';
import { VllmTestServer, type ResponseScript } from '../support/vllm-server';
import { modelList } from '../support/vllm-wire';

// Calls that are not inference stay exactly as the undici instrumentation made them.

/** A call and the answer vLLM gives it (the emulator only knows /v1/models and /health). */
interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  answer: ResponseScript;
}

const NON_INFERENCE: Call[] = [
  { method: 'GET', path: '/v1/models', answer: { json: modelList(['m']) } },
  { method: 'GET', path: '/health', answer: { body: '', headers: { 'content-type': null } } },
  { method: 'GET', path: '/metrics', answer: { body: 'vllm:num_requests_running 0\n', headers: { 'content-type': 'text/plain; version=0.0.4' } } },
  { method: 'GET', path: '/version', answer: { json: { version: '0.11.0' } } },
  { method: 'POST', path: '/tokenize', body: { model: 'm', prompt: 'hi' }, answer: { json: { count: 1, max_model_len: 32768, tokens: [6023], token_strs: null } } },
  { method: 'POST', path: '/detokenize', body: { model: 'm', tokens: [6023] }, answer: { json: { prompt: 'hi' } } },
];

/** The undici instrumentation alone: the spans an application gets without this package. */
class PlainTracing {
  readonly exporter = new InMemorySpanExporter();
  private readonly provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  private readonly instrumentation = new UndiciInstrumentation();

  constructor() {
    this.instrumentation.setTracerProvider(this.provider);
  }

  async stop(): Promise<void> {
    this.instrumentation.disable();
    await this.provider.shutdown();
  }
}

/** What an exporter sees of a span, apart from ids and times. */
function observable(span: ReadableSpan) {
  return { name: span.name, kind: span.kind, status: span.status, attributes: span.attributes };
}

async function waitForSpan(exporter: InMemorySpanExporter): Promise<ReadableSpan> {
  for (let i = 0; i < 400 && exporter.getFinishedSpans().length === 0; i++) await new Promise(resolve => setTimeout(resolve, 5));
  const spans = exporter.getFinishedSpans();
  expect(spans).to.have.length(1);
  return spans[0];
}

describe('calls to vLLM that are not inference', () => {
  let server: VllmTestServer;

  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server.close());

  async function send(call: Call): Promise<void> {
    server.respondWith(call.answer);
    const response = await fetch(`${server.origin}${call.path}`, {
      method: call.method,
      headers: call.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    });
    await response.arrayBuffer();
  }

  for (const call of NON_INFERENCE) {
    it(`leaves ${call.method} ${call.path} exactly as the instrumentation made it`, async () => {
      const plain = new PlainTracing();
      let without: ReadableSpan;
      try {
        await send(call);
        without = await waitForSpan(plain.exporter);
      } finally {
        await plain.stop();
      }
      const tracing = new Tracing();
      try {
        await send(call);
        const [span] = await tracing.waitForSpans(1);
        expect(observable(span)).to.deep.equal(observable(without));
        expect(span.name).to.equal(call.method);
        expect(Object.keys(span.attributes).filter(key => /^(fi|llm|gen_ai|embedding|reranker|vllm)\./.test(key))).to.deep.equal([]);
        expect(tracing.processor.liveCaptureCount).to.equal(0);
      } finally {
        await tracing.stop();
      }
    });
  }

  describe('an unknown OpenAI-style path', () => {
    const TRANSCRIPTION: Call = {
      method: 'POST',
      path: '/v1/audio/transcriptions?api-key=sk-hidden',
      body: { model: 'whisper', file: 'x' },
      answer: { json: { text: 'hello' } },
    };
    let logger: Record<keyof DiagLogger, sinon.SinonSpy>;

    beforeEach(() => {
      logger = { error: sinon.spy(), warn: sinon.spy(), info: sinon.spy(), debug: sinon.spy(), verbose: sinon.spy() };
      diag.setLogger(logger, DiagLogLevel.DEBUG);
    });
    afterEach(() => diag.disable());

    /** The debug lines this package wrote about `path`. */
    function linesAbout(path: string): string[] {
      return logger.debug
        .getCalls()
        .map(call => call.args.map(String).join(' '))
        .filter(line => line.startsWith('@traceai/vllm') && line.includes(path));
    }

    it('stays an HTTP span, with exactly one debug line naming it (query left out), under a matching baseUrlPattern', async () => {
      const tracing = new Tracing({ processor: { baseUrlPattern: '127.0.0.1' } });
      try {
        await send(TRANSCRIPTION);
        const [span] = await tracing.waitForSpans(1);
        expect(span.name).to.equal('POST');
        expect(Object.keys(span.attributes).filter(key => /^(fi|llm|gen_ai)\./.test(key))).to.deep.equal([]);
        expect(linesAbout('/v1/audio/transcriptions')).to.have.length(1);
        expect(linesAbout('/v1/audio/transcriptions')[0]).to.contain(`${server.origin}/v1/audio/transcriptions`);
        expect(linesAbout('/v1/audio/transcriptions')[0]).not.to.contain('sk-hidden');
      } finally {
        await tracing.stop();
      }
    });

    it('writes no line for a server outside baseUrlPattern, a GET, or a path that is not versioned', async () => {
      const tracing = new Tracing({ processor: { baseUrlPattern: 'vllm.internal' } });
      try {
        await send(TRANSCRIPTION);
        await tracing.waitForSpans(1);
        expect(linesAbout('/v1/audio/transcriptions')).to.deep.equal([]);
      } finally {
        await tracing.stop();
      }
      const matching = new Tracing();
      try {
        await send({ method: 'GET', path: '/v1/models', answer: { json: modelList(['m']) } });
        await send(NON_INFERENCE.find(call => call.path === '/tokenize')!);
        await matching.waitForSpans(2);
        expect(linesAbout('/v1/models')).to.deep.equal([]);
        expect(linesAbout('/tokenize')).to.deep.equal([]);
      } finally {
        await matching.stop();
      }
    });
  });
});
