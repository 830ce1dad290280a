import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { expect } from 'chai';
import * as fs from 'fs';
import OpenAI from 'openai';
import OpenAIv4 from 'openai4';
import * as http from 'http';
import * as path from 'path';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { VLLMInstrumentation, VLLMSpanProcessor } from '../../src';
import { loadOptionalPeer } from '../../src/setup/optional-peer';
import { PACKAGE_VERSION } from '../../src/version';
import { ROOT } from '../support/paths';
// For its side effect: the context manager and the W3C propagator that provider.register() would set.
import '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';
import { programOf } from '../matrix/readme-blocks';


const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** Collects this package's diag lines. */
class Lines implements DiagLogger {
  readonly lines: string[] = [];
  error = (...args: unknown[]) => this.add('error', args);
  warn = (...args: unknown[]) => this.add('warn', args);
  info = (...args: unknown[]) => this.add('info', args);
  debug = (...args: unknown[]) => this.add('debug', args);
  verbose = (...args: unknown[]) => this.add('verbose', args);
  private add(level: string, args: unknown[]): void {
    if (args[0] === '@traceai/vllm') this.lines.push(`${level} ${args.slice(1).map(String).join(' ')}`);
  }
}

/** A user's provider, built without any VLLMSpanProcessor. */
function userProvider(...extra: VLLMSpanProcessor[]) {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [...extra, new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

async function spansOf(exporter: InMemorySpanExporter, count: number): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 5000;
  while (exporter.getFinishedSpans().length < count && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
  // A little longer, so that an unexpected extra span is seen too.
  await new Promise(resolve => setTimeout(resolve, 30));
  return exporter.getFinishedSpans();
}

describe('VLLMInstrumentation (the seed API)', () => {
  let server: VllmTestServer;
  let client: OpenAI;
  let instrumentations: VLLMInstrumentation[];
  let lines: Lines;

  before(async () => {
    server = await VllmTestServer.start();
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'not-needed', maxRetries: 0 });
  });
  after(() => server.close());
  beforeEach(() => {
    instrumentations = [];
    lines = new Lines();
    diag.setLogger(lines, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
  });
  afterEach(() => {
    for (const instrumentation of instrumentations) instrumentation.disable();
    diag.disable();
  });

  function create(options?: ConstructorParameters<typeof VLLMInstrumentation>[0]): VLLMInstrumentation {
    const instrumentation = new VLLMInstrumentation(options);
    instrumentations.push(instrumentation);
    return instrumentation;
  }

  const chat = (model = MODEL) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello!' }] });

  it("runs the README's VLLMInstrumentation setup (the seed's Basic Setup on SDK 2.x) as written, printing the LLM span", async () => {
    // In a child process: it registers the global provider. Two substitutions only: the package is
    // this checkout's source, and the server is the local one.
    const script = programOf(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), 'sdk2', 1)
      .replace("from '@traceai/vllm'", `from ${JSON.stringify(path.join(ROOT, 'src', 'index.ts'))}`)
      .replaceAll('localhost:8000', `127.0.0.1:${server.port}`);
    expect(script).to.contain('new VLLMInstrumentation(').and.not.contain('VLLMSpanProcessor');
    // Under node_modules so that the script's bare imports resolve to this checkout's packages.
    const folder = path.join(ROOT, 'node_modules', '.cache', 'readme-instrumentation-test');
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'trace-vllm.mjs');
    fs.writeFileSync(file, script);
    const before = server.requests.length;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { timeout: 30000 });
    expect(stdout).to.contain(`name: 'chat ${MODEL}'`);
    expect(stdout).to.contain("'fi.span.kind': 'LLM'");
    expect(stdout).to.match(/'llm\.token_count\.total': \d+/);
    expect(server.requests.length - before).to.equal(1);
  }).timeout(60_000);

  it('is an OpenTelemetry Instrumentation: registerInstrumentations gives the provider, and calls become LLM spans', async () => {
    const { exporter, provider } = userProvider();
    const instrumentation = create({ baseUrlPattern: `127.0.0.1:${server.port}` });
    registerInstrumentations({ tracerProvider: provider, instrumentations: [instrumentation] });
    expect(instrumentation.instrumentationName).to.equal('@traceai/vllm');
    expect(instrumentation.getConfig().enabled).to.equal(true);

    const answer = await chat();
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Count.' }], stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';

    const spans = await spansOf(exporter, 2);
    expect(spans.map(span => span.name)).to.deep.equal([`chat ${MODEL}`, `chat ${MODEL}`]);
    expect(spans[0].instrumentationScope.name).to.equal('@opentelemetry/instrumentation-undici');
    expect(spans[0].attributes).to.include({
      'fi.span.kind': 'LLM',
      'llm.system': 'vllm',
      'llm.model': MODEL,
      'llm.input_messages.0.content': 'Hello!',
      'llm.output_messages.0.content': answer.choices[0].message.content,
      'llm.token_count.total': answer.usage!.total_tokens,
    });
    expect(spans[1].attributes).to.include({ 'gen_ai.request.stream': true, 'llm.output_messages.0.content': streamed });
  });

  it('traces only vLLM inference calls: other requests, paths and servers get no span from it', async () => {
    const { exporter, provider } = userProvider();
    create({ baseUrlPattern: `127.0.0.1:${server.port}` }).setTracerProvider(provider);
    await fetch(`${server.baseUrl}/models`);
    await fetch(`${server.origin}/health`, { method: 'POST' });
    // The same server under another name is outside baseUrlPattern.
    await new OpenAI({ baseURL: `http://localhost:${server.port}/v1`, apiKey: 'x', maxRetries: 0 }).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await chat();
    const spans = await spansOf(exporter, 1);
    expect(spans.map(span => span.attributes['url.full'])).to.deep.equal([`${server.baseUrl}/chat/completions`]);
  });

  it('traces node:http clients too (openai v4) with instrumentation-http installed, and only their vLLM calls, both sides captured on every Node', async () => {
    const { exporter, provider } = userProvider();
    const instrumentation = create({ baseUrlPattern: `127.0.0.1:${server.port}` });
    instrumentation.manuallyInstrument(OpenAIv4);
    instrumentation.setTracerProvider(provider);
    const v4 = new OpenAIv4({ baseURL: server.baseUrl, apiKey: 'not-needed', maxRetries: 0 });
    const answer = await v4.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hello from v4' }] });
    // Not vLLM calls: a GET, and a POST to the same server under another name.
    await new Promise(resolve => http.get(`${server.baseUrl}/models`, response => response.resume().on('end', resolve)));
    await new OpenAIv4({ baseURL: `http://localhost:${server.port}/v1`, apiKey: 'x', maxRetries: 0 }).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const spans = await spansOf(exporter, 1);
    expect(spans.map(span => span.instrumentationScope.name)).to.deep.equal(['@opentelemetry/instrumentation-http']);
    expect(spans[0].name).to.equal(`chat ${MODEL}`);
    expect(spans[0].attributes).to.include({
      'fi.span.kind': 'LLM',
      'llm.input_messages.0.content': 'Hello from v4',
      'llm.output_messages.0.content': answer.choices[0].message.content,
    });
    instrumentation.disable();
    await v4.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'untraced' }] });
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(exporter.getFinishedSpans()).to.have.length(1);
  });

  it("beside the app's own UndiciInstrumentation and HttpInstrumentation, as the README warns: fetch gets two spans, node:http only the app's HTTP span", async () => {
    const { exporter, provider } = userProvider();
    create({ baseUrlPattern: `127.0.0.1:${server.port}` }).setTracerProvider(provider);
    const theirUndici = new UndiciInstrumentation();
    const theirHttp = new HttpInstrumentation({ disableIncomingRequestInstrumentation: true });
    for (const theirs of [theirUndici, theirHttp]) theirs.setTracerProvider(provider);
    require('http');
    try {
      await chat();
      await new OpenAIv4({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
      const spans = await spansOf(exporter, 3);
      const names = spans.map(span => `${span.instrumentationScope.name.replace('@opentelemetry/instrumentation-', '')} ${span.name}`);
      // The app's HttpInstrumentation, patched over this one's, makes the only span of the node:http call.
      expect(names.sort()).to.deep.equal([`http POST`, `undici POST`, `undici chat ${MODEL}`]);
    } finally {
      theirUndici.disable();
      theirHttp.disable();
    }
  });

  it('leaves every other request to whatever else is installed (their UndiciInstrumentation still traces them)', async () => {
    const { exporter, provider } = userProvider();
    create().setTracerProvider(provider);
    const other = userProvider();
    const theirs = new UndiciInstrumentation();
    theirs.setTracerProvider(other.provider);
    try {
      await fetch(`${server.baseUrl}/models`);
      const theirSpans = await spansOf(other.exporter, 1);
      expect(theirSpans.map(span => span.name)).to.deep.equal(['GET']);
      expect(await spansOf(exporter, 0)).to.have.length(0);
    } finally {
      theirs.disable();
    }
  });

  it('rewrites a span once when the provider also has a VLLMSpanProcessor', async () => {
    const processor = new VLLMSpanProcessor();
    const { exporter, provider } = userProvider(processor);
    try {
      create().setTracerProvider(provider);
      await chat();
      const spans = await spansOf(exporter, 1);
      expect(spans.map(span => span.name)).to.deep.equal([`chat ${MODEL}`]);
      expect(spans[0].attributes).to.include({ 'fi.span.kind': 'LLM', 'llm.model': MODEL });
      // Its own processor stood aside: no "two VLLMSpanProcessors on one provider" warning.
      expect(lines.lines.filter(line => line.startsWith('warn'))).to.deep.equal([]);
      expect(processor.liveCaptureCount).to.equal(0);
    } finally {
      await processor.shutdown();
    }
  });

  it('disable() stops tracing and enable() resumes it', async () => {
    const { exporter, provider } = userProvider();
    const instrumentation = create();
    instrumentation.setTracerProvider(provider);
    instrumentation.disable();
    await chat();
    expect(await spansOf(exporter, 0)).to.have.length(0);
    instrumentation.enable();
    instrumentation.enable();
    await chat();
    expect((await spansOf(exporter, 1)).map(span => span.name)).to.deep.equal([`chat ${MODEL}`]);
  });

  it('waits for enable() when constructed with instrumentationConfig.enabled false', async () => {
    const { exporter, provider } = userProvider();
    const instrumentation = create({ instrumentationConfig: { enabled: false } });
    instrumentation.setTracerProvider(provider);
    expect(instrumentation.getConfig().enabled).to.equal(false);
    await chat();
    expect(await spansOf(exporter, 0)).to.have.length(0);
    // registerInstrumentations enables what was constructed disabled.
    registerInstrumentations({ tracerProvider: provider, instrumentations: [instrumentation] });
    await chat();
    expect(await spansOf(exporter, 1)).to.have.length(1);
  });

  it('setConfig takes new options from the next call on, and rejects invalid ones keeping the old', async () => {
    const { exporter, provider } = userProvider();
    const instrumentation = create({ traceConfig: { hideInputs: true } });
    instrumentation.setTracerProvider(provider);
    await chat();
    instrumentation.setConfig({ baseUrlPattern: 'vllm.internal:8000' });
    await chat();
    expect(() => instrumentation.setConfig({ maxBodyBytes: -1 })).to.throw(RangeError, /maxBodyBytes/);
    expect(instrumentation.getConfig().baseUrlPattern).to.equal('vllm.internal:8000');
    instrumentation.setConfig({});
    await chat();
    const spans = await spansOf(exporter, 2);
    expect(spans.map(span => span.attributes['llm.input_messages.0.content'])).to.deep.equal(['__REDACTED__', 'Hello!']);
  });

  it('throws on invalid options at construction, naming the option', () => {
    expect(() => create({ baseUrlPattern: '' })).to.throw(TypeError, /baseUrlPattern/);
    expect(() => create({ instrumentationConfig: { enabled: 'yes' as unknown as boolean } })).to.throw(TypeError, /enabled/);
  });

  it('manuallyInstrument(module) patches nothing', async () => {
    const module = await import('openai');
    const create_ = module.OpenAI.Chat.Completions.prototype.create;
    const keys = Object.keys(module);
    create().manuallyInstrument(module);
    expect(module.OpenAI.Chat.Completions.prototype.create).to.equal(create_);
    expect(Object.keys(module)).to.deep.equal(keys);
  });

  it('names a missing optional peer and how to install it', () => {
    expect(() => loadOptionalPeer('@opentelemetry/no-such-package', 'VLLMInstrumentation', 'npm install it')).to.throw(
      Error,
      'VLLMInstrumentation needs the package @opentelemetry/no-such-package, which is not installed: npm install it',
    );
  });

  it('reports the version of package.json', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(create({ instrumentationConfig: { enabled: false } }).instrumentationVersion).to.equal(manifest.version).and.to.equal(PACKAGE_VERSION);
  });
});
