/**
 * The README's "Where to send spans" recipes, run as written. Each `<!-- backend-recipe NAME -->`
 * block is a ```sh block of exported OTEL_* variables: it runs in bash (`-eu`, with made-up keys),
 * its endpoint's origin is swapped for a local OTLP receiver on 127.0.0.1, and a vLLM chat call is
 * traced in-process through the real UndiciInstrumentation + VLLMSpanProcessor and exported by the
 * real OTLP exporter of the recipe's protocol, built as the README says (code) and as the zero-code
 * entry builds it. The receiver decodes the request; the test checks its path, headers, resource
 * attributes and that the one exported span is the LLM span.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, type Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { VLLMSpanProcessor } from '../../src';
import { futureAgiFromEnv } from '../../src/register/future-agi';
import { exportingProcessorsFromEnv } from '../../src/register/span-processors';
import { OtlpReceiver, type ReceivedExport } from '../support/otlp-receiver';
import { ROOT } from '../support/paths';
import '../support/tracing'; // the global context manager and W3C propagator, as provider.register() sets them
import { VllmTestServer } from '../support/vllm-server';
import { DEFAULT_MODEL } from '../support/vllm-wire';

/** The variables each block may read: made-up keys. Langfuse's are full length, so base64 would wrap a line. */
const KEYS = {
  FI_API_KEY: 'fi-api-key-0001',
  FI_SECRET_KEY: 'fi-secret-key-0002',
  PHOENIX_API_KEY: 'phx_0123456789abcdef',
  LANGFUSE_PUBLIC_KEY: 'pk-lf-1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
  LANGFUSE_SECRET_KEY: 'sk-lf-9f8e7d6c-5b4a-4f3e-9d2c-1b0a9f8e7d6c',
  DD_API_KEY: 'dd0123456789abcdef0123456789abcd',
};

/** What each recipe must send, read from the backends' public docs (docs/backends.md cites them). */
interface Expected {
  /** The endpoint origin the block names, replaced by the receiver's. */
  origin: string;
  path: string;
  contentType: string;
  headers: Record<string, string>;
  resource: Record<string, string>;
}

const EXPECTED: Record<string, Expected> = {
  'future-agi': {
    origin: 'https://api.futureagi.com',
    path: '/tracer/v1/traces',
    contentType: 'application/json',
    headers: { 'x-api-key': KEYS.FI_API_KEY, 'x-secret-key': KEYS.FI_SECRET_KEY },
    resource: { project_name: 'my-project', project_type: 'observe' },
  },
  phoenix: {
    origin: 'http://localhost:6006',
    path: '/v1/traces',
    contentType: 'application/x-protobuf',
    headers: { authorization: `Bearer ${KEYS.PHOENIX_API_KEY}` },
    resource: { 'openinference.project.name': 'my-project' },
  },
  langfuse: {
    origin: 'https://cloud.langfuse.com',
    path: '/api/public/otel/v1/traces',
    contentType: 'application/x-protobuf',
    headers: {
      authorization: `Basic ${Buffer.from(`${KEYS.LANGFUSE_PUBLIC_KEY}:${KEYS.LANGFUSE_SECRET_KEY}`).toString('base64')}`,
      'x-langfuse-ingestion-version': '4',
    },
    resource: { 'service.name': 'my-app' },
  },
  datadog: {
    origin: 'https://otlp.datadoghq.com',
    path: '/v1/traces',
    contentType: 'application/x-protobuf',
    headers: { 'dd-api-key': KEYS.DD_API_KEY, 'dd-otlp-source': 'llmobs' },
    resource: { 'service.name': 'my-app' },
  },
  collector: {
    origin: 'http://localhost:4318',
    path: '/v1/traces',
    contentType: 'application/x-protobuf',
    headers: {},
    resource: { 'service.name': 'my-app' },
  },
};

const RECIPE = /<!-- backend-recipe ([\w-]+) -->\s*```sh\n([\s\S]*?)```/g;

/** Every recipe block of README.md, by name. */
function readmeRecipes(): Map<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return new Map([...readme.matchAll(RECIPE)].map(([, name, block]) => [name, block]));
}

/** The OTEL_* variables a block exports, run in bash with only PATH and the keys set (`-u`: it reads nothing else). */
function runBlock(block: string): Record<string, string> {
  const output = execFileSync('bash', ['--norc', '--noprofile', '-euc', `${block}\nenv -0`], {
    env: { PATH: process.env.PATH, ...KEYS },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const variables = output.split('\0').filter(Boolean).map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return Object.fromEntries(variables.filter(([name]) => name.startsWith('OTEL_')));
}

/** The variable that names the endpoint: the traces one, else the base one. */
function endpointVariable(env: Record<string, string>): string {
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
}

/** Runs `build` with exactly `env`'s OTEL_* / FI_* variables in process.env (the exporters and detectors read it at construction). */
function withEnv<T>(env: Record<string, string>, build: () => T): T {
  const saved = Object.entries(process.env).filter(([name]) => /^(OTEL_|FI_)/.test(name));
  for (const [name] of saved) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return build();
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
    Object.assign(process.env, Object.fromEntries(saved));
  }
}

/** How the exporting processor is built from the recipe's variables. */
const ROUTES: Record<string, (env: Record<string, string>) => SpanProcessor[]> = {
  // As the README says for code: the protocol's exporter with no arguments, batched.
  code: env => [
    new BatchSpanProcessor(
      (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? 'http/protobuf') === 'http/json' ? new OTLPJsonTraceExporter() : new OTLPProtoTraceExporter(),
    ),
  ],
  // As the zero-code entry builds it (src/register/span-processors.ts).
  'zero code': env => exportingProcessorsFromEnv(env, false),
};

describe('README backend recipes, exported to a local OTLP receiver', function () {
  this.timeout(30_000);
  let vllm: VllmTestServer;
  let receiver: OtlpReceiver;
  const recipes = readmeRecipes();

  before(async () => {
    vllm = await VllmTestServer.start();
    receiver = await OtlpReceiver.start();
  });

  after(async () => {
    await vllm?.close();
    await receiver?.close();
  });

  beforeEach(() => receiver.exports.splice(0));

  it('the README has one recipe per backend, no more, no fewer', () => {
    expect([...recipes.keys()]).to.have.members(Object.keys(EXPECTED)).and.to.have.length(Object.keys(EXPECTED).length);
  });

  /** Traces one chat call with the recipe's exporter and resource; returns the one export request. */
  async function exportOneChat(env: Record<string, string>, route: (env: Record<string, string>) => SpanProcessor[]): Promise<ReceivedExport> {
    const { resource, exporting } = withEnv(env, (): { resource: Resource; exporting: SpanProcessor[] } => ({
      resource: defaultResource().merge(detectResources({ detectors: [envDetector] })),
      exporting: route(env),
    }));
    const processor = new VLLMSpanProcessor();
    const instrumentation = new UndiciInstrumentation();
    const provider = new NodeTracerProvider({ resource, spanProcessors: [processor, ...exporting] });
    instrumentation.setTracerProvider(provider);
    try {
      const response = await fetch(`${vllm.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: DEFAULT_MODEL, messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 3 }),
      });
      expect(response.status).to.equal(200);
      await response.json();
      // The span ends once undici has the whole response; flush until the batch is out.
      const deadline = Date.now() + 10_000;
      while (receiver.exports.length === 0) {
        if (Date.now() > deadline) throw new Error('nothing exported');
        await provider.forceFlush();
        await new Promise(resolve => setTimeout(resolve, 10));
      }
    } finally {
      instrumentation.disable();
      await provider.shutdown();
    }
    expect(receiver.exports, 'one export request').to.have.length(1);
    return receiver.exports[0];
  }

  for (const [name, expected] of Object.entries(EXPECTED)) {
    describe(name, () => {
      /** The block's variables with its endpoint's origin swapped for the receiver's (nothing leaves 127.0.0.1). */
      function localEnv(): Record<string, string> {
        const block = recipes.get(name);
        if (block === undefined) throw new Error(`README has no recipe ${name}`);
        const env = runBlock(block);
        const variable = endpointVariable(env);
        expect(env[variable], `${variable} of the recipe`).to.satisfy((url: string) => url.startsWith(expected.origin));
        env[variable] = receiver.origin + env[variable].slice(expected.origin.length);
        expect(env[variable].startsWith('http://127.0.0.1:')).to.equal(true);
        return env;
      }

      for (const [routeName, route] of Object.entries(ROUTES)) {
        it(`${routeName}: path, headers, resource attributes and the LLM span`, async () => {
          const received = await exportOneChat(localEnv(), route);
          expect(received.path).to.equal(expected.path);
          expect(received.contentType.split(';')[0]).to.equal(expected.contentType);
          expect(received.headers).to.include(expected.headers);
          expect(received.spans, 'only the LLM span is exported').to.have.length(1);
          const [span] = received.spans;
          expect(span.resource).to.include(expected.resource);
          expect(span).to.include({ name: `chat ${DEFAULT_MODEL}`, kind: 3, scope: '@opentelemetry/instrumentation-undici' });
          expect(span.attributes).to.include({
            'fi.span.kind': 'LLM',
            'openinference.span.kind': 'LLM',
            'gen_ai.operation.name': 'chat',
            'llm.model_name': DEFAULT_MODEL,
            'gen_ai.request.model': DEFAULT_MODEL,
            'llm.token_count.completion': 3,
            'gen_ai.usage.output_tokens': 3,
            'llm.input_messages.0.content': 'Hello there',
          });
          const prompt = span.attributes['llm.token_count.prompt'];
          expect(prompt).to.be.a('number').above(0);
          expect(span.attributes).to.include({ 'gen_ai.usage.input_tokens': prompt, 'llm.token_count.total': (prompt as number) + 3 });
        });
      }
    });
  }

  it("Future AGI: the recipe sends what the zero-code FI_* variables send (src/register/future-agi.ts)", () => {
    const env = runBlock(recipes.get('future-agi') ?? '');
    const zeroCode = futureAgiFromEnv({ FI_API_KEY: KEYS.FI_API_KEY, FI_SECRET_KEY: KEYS.FI_SECRET_KEY, FI_PROJECT_NAME: 'my-project' });
    expect(zeroCode).to.not.equal(undefined);
    expect(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).to.equal(zeroCode?.url);
    const headers = Object.fromEntries(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS.split(',').map(pair => pair.split('=')));
    expect(headers).to.deep.equal(zeroCode?.headers);
    const resource = withEnv(env, () => detectResources({ detectors: [envDetector] }).attributes);
    const { project_name, project_type } = zeroCode?.resourceAttributes ?? {};
    expect(resource).to.include({ project_name, project_type });
  });
});
