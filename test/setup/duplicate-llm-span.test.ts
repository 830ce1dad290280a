import { expect } from 'chai';
import * as fs from 'fs';
import sinon from 'sinon';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { VLLMSpanProcessor } from '../../src';
import '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';
import { DEFAULT_MODEL } from '../support/vllm-wire';

/** openai v4 (node:http), loaded through require as an application loads it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openaiV4 = require('openai4') as typeof import('openai4');
const OPENAI_V4_VERSION = (JSON.parse(fs.readFileSync(require.resolve('openai4').replace(/index\.js$/, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * `getNodeAutoInstrumentations()` includes @opentelemetry/instrumentation-openai: its `chat {model}`
 * span is the parent of the HTTP span this package rewrites, so each call has two LLM spans.
 */
describe('an LLM-client instrumentation around the vLLM call (two LLM spans per call)', () => {
  let vllm: VllmTestServer;
  let exporter: InMemorySpanExporter;
  let processor: VLLMSpanProcessor;
  let provider: NodeTracerProvider;
  let http: HttpInstrumentation;
  let openai: OpenAIInstrumentation;
  let emitWarning: sinon.SinonStub;
  let patched = false;

  before(async () => {
    vllm = await VllmTestServer.start();
  });
  after(() => vllm.close());

  /** The real instrumentation, wrapping openai v4 as it does when `require('openai')` is hooked (openai4's alias hides it from the hook). */
  function setUp(openaiEnabled: boolean): void {
    exporter = new InMemorySpanExporter();
    processor = new VLLMSpanProcessor({ baseUrlPattern: vllm.origin });
    // The vLLM test server runs in this process: its server spans are not what this is about.
    http = new HttpInstrumentation({ disableIncomingRequestInstrumentation: true });
    // http was loaded before the instrumentation was enabled: a require after it is what gets it patched.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('http');
    provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
    http.setTracerProvider(provider);
    openai = new OpenAIInstrumentation({ enabled: openaiEnabled });
    openai.setTracerProvider(provider);
    patched = openaiEnabled;
    if (patched) for (const definition of openai.getModuleDefinitions()) definition.patch?.(openaiV4, OPENAI_V4_VERSION);
    emitWarning = sinon.stub(process, 'emitWarning');
  }

  afterEach(async () => {
    emitWarning.restore();
    if (patched) for (const definition of openai.getModuleDefinitions()) definition.unpatch?.(openaiV4, OPENAI_V4_VERSION);
    openai.disable();
    http.disable();
    await provider.shutdown();
    await processor.shutdown();
  });

  async function chat(times: number): Promise<void> {
    const client = new openaiV4.OpenAI({ baseURL: vllm.baseUrl, apiKey: 'none' });
    for (let i = 0; i < times; i++) {
      await client.chat.completions.create({ model: DEFAULT_MODEL, messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 3 });
    }
    await provider.forceFlush();
  }

  function duplicateWarnings(): string[] {
    return emitWarning.getCalls()
      .filter(call => (call.args[1] as { code?: string } | undefined)?.code === 'TRACEAI_VLLM_DUPLICATE_LLM_SPAN')
      .map(call => String(call.args[0]));
  }

  it('warns once, naming the instrumentation and the config that turns it off', async () => {
    setUp(true);
    await chat(2);
    const openaiSpans = exporter.getFinishedSpans().filter(span => span.instrumentationScope.name === '@opentelemetry/instrumentation-openai');
    expect(openaiSpans.map(span => span.name)).to.deep.equal([`chat ${DEFAULT_MODEL}`, `chat ${DEFAULT_MODEL}`]);
    expect(duplicateWarnings()).to.have.length(1);
    expect(duplicateWarnings()[0])
      .to.include('@opentelemetry/instrumentation-openai')
      .and.include(`getNodeAutoInstrumentations({ '@opentelemetry/instrumentation-openai': { enabled: false } })`);
  });

  it('still rewrites the HTTP span under it (the one whose traceparent reaches vLLM, provider vllm)', async () => {
    setUp(true);
    await chat(1);
    const spans = exporter.getFinishedSpans();
    const parent = spans.find(span => span.instrumentationScope.name === '@opentelemetry/instrumentation-openai');
    const child = spans.find(span => span.instrumentationScope.name === '@opentelemetry/instrumentation-http');
    expect(child?.parentSpanContext?.spanId).to.equal(parent?.spanContext().spanId);
    expect(child?.attributes).to.include({ 'fi.span.kind': 'LLM', 'gen_ai.provider.name': 'vllm' });
  });

  it('says nothing when the openai instrumentation is off: one LLM span per call', async () => {
    setUp(false);
    await chat(1);
    expect(duplicateWarnings()).to.deep.equal([]);
    expect(exporter.getFinishedSpans().map(span => [span.instrumentationScope.name, span.attributes['fi.span.kind']])).to.deep.equal([
      ['@opentelemetry/instrumentation-http', 'LLM'],
    ]);
  });
});
