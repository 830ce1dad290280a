import { expect } from 'chai';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildPackage, type BuiltPackage } from '../support/built-package';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { VllmTestServer } from '../support/vllm-server';
import { DEFAULT_MODEL } from '../support/vllm-wire';

/** The same chat call in each app: plain fetch, nothing about tracing. */
const CHAT_CALL = `const response = await fetch(process.env.VLLM_URL + '/v1/chat/completions', {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: '${DEFAULT_MODEL}', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 3 }),
});
console.log('answer:', (await response.json()).choices[0].message.content);`;

/** Unchanged applications, as a user would run them. */
const APPS: Record<string, string> = {
  'chat.mjs': `${CHAT_CALL}\n`,
  'chat.cjs': `(async () => {\n${CHAT_CALL}\n})();\n`,
  // openai v4 on node:http, loaded through require: the client instrumentation-openai patches.
  'openai4.cjs': `const OpenAI = require('openai4');
new OpenAI({ baseURL: process.env.VLLM_URL + '/v1', apiKey: 'none' }).chat.completions
  .create({ model: '${DEFAULT_MODEL}', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 3 })
  .then(completion => console.log('answer:', completion.choices[0].message.content));\n`,
};

interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('zero code: node --import / --require @traceai/vllm/register', function () {
  this.timeout(120_000);
  let built: BuiltPackage;
  let vllm: VllmTestServer;
  let receiver: OtlpReceiver;

  before(async () => {
    built = buildPackage(['openai4']);
    for (const [file, source] of Object.entries(APPS)) fs.writeFileSync(path.join(built.project, file), source);
    vllm = await VllmTestServer.start();
    receiver = await OtlpReceiver.start();
  });

  after(async () => {
    await vllm?.close();
    await receiver?.close();
    built?.remove();
  });

  beforeEach(() => receiver.exports.splice(0));

  /** Runs an app with the register entry in a clean environment (only PATH, the app's server and `env`). */
  function run(preload: '--import' | '--require', app: string, env: Record<string, string>): Promise<AppRun> {
    return new Promise(resolve => {
      execFile(
        process.execPath,
        [preload, '@traceai/vllm/register', app],
        { cwd: built.project, timeout: 30_000, env: { PATH: process.env.PATH, VLLM_URL: vllm.origin, ...env } },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr }),
      );
    });
  }

  function llmSpans(): ReceivedSpan[] {
    return receiver.spans().filter(span => span.attributes['fi.span.kind'] === 'LLM');
  }

  it('--import traces an ES module app over OTLP http/protobuf, with the OTEL_* service, resource and headers', async () => {
    const result = await run('--import', 'chat.mjs', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer test-token',
      OTEL_SERVICE_NAME: 'chat-app',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      TRACEAI_VLLM_BASE_URL_PATTERN: vllm.origin,
    });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^answer: \S+/m);
    expect(receiver.exports.map(received => [received.path, received.contentType])).to.deep.include(['/v1/traces', 'application/x-protobuf']);
    expect(receiver.exports[0].headers.authorization).to.equal('Bearer test-token');
    const [span] = llmSpans();
    expect(llmSpans()).to.have.length(1);
    expect(span).to.include({ name: `chat ${DEFAULT_MODEL}`, kind: 3, scope: '@opentelemetry/instrumentation-undici' });
    expect(span.attributes).to.include({ 'llm.model': DEFAULT_MODEL, 'gen_ai.provider.name': 'vllm', 'llm.input_messages.0.content': 'Hello there' });
    expect(span.resource).to.include({ 'service.name': 'chat-app', 'deployment.environment.name': 'test' });
  });

  it('--require traces a CommonJS app over OTLP http/json, to the traces-specific endpoint', async () => {
    const result = await run('--require', 'chat.cjs', {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.origin}/custom/traces`,
    });
    expect(result.code, result.stderr).to.equal(0);
    expect(receiver.exports.map(received => [received.path, received.contentType.split(';')[0]])).to.deep.equal([['/custom/traces', 'application/json']]);
    expect(llmSpans().map(span => span.name)).to.deep.equal([`chat ${DEFAULT_MODEL}`]);
    expect(llmSpans()[0].attributes).to.include({ 'llm.token_count.completion': 3 });
  });

  it('exports to Future AGI with FI_API_KEY, FI_SECRET_KEY and FI_PROJECT_NAME: its path, key headers and project resource', async () => {
    const result = await run('--import', 'chat.mjs', {
      FI_API_KEY: 'api-key-1',
      FI_SECRET_KEY: 'secret-key-1',
      FI_PROJECT_NAME: 'vllm-zero-code',
      FI_BASE_URL: `${receiver.origin}/`,
    });
    expect(result.code, result.stderr).to.equal(0);
    // Only Future AGI: no default OTLP export beside it.
    expect(receiver.exports.map(received => received.path)).to.deep.equal(['/tracer/v1/traces']);
    expect(receiver.exports[0].headers).to.include({ 'x-api-key': 'api-key-1', 'x-secret-key': 'secret-key-1' });
    const [span] = llmSpans();
    expect(span.name).to.equal(`chat ${DEFAULT_MODEL}`);
    expect(span.resource).to.include({ project_name: 'vllm-zero-code', project_type: 'observe', 'service.name': 'vllm-zero-code' });
  });

  it('reads the base URL pattern from TRACEAI_VLLM_BASE_URL_PATTERN: calls elsewhere stay HTTP spans', async () => {
    const result = await run('--import', 'chat.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin, TRACEAI_VLLM_BASE_URL_PATTERN: '/vllm\\.internal/' });
    expect(result.code, result.stderr).to.equal(0);
    expect(llmSpans()).to.deep.equal([]);
    expect(receiver.spans().map(span => span.name)).to.deep.equal(['POST']);
  });

  it('follows OTEL_TRACES_SAMPLER: always_off exports nothing, and the app still works', async () => {
    const result = await run('--import', 'chat.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin, OTEL_TRACES_SAMPLER: 'always_off' });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^answer: /m);
    expect(receiver.spans()).to.deep.equal([]);
  });

  it('OTEL_TRACES_EXPORTER=console prints the LLM span', async () => {
    const result = await run('--require', 'chat.cjs', { OTEL_TRACES_EXPORTER: 'console' });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`name: 'chat ${DEFAULT_MODEL}'`).and.to.include(`'fi.span.kind': 'LLM'`);
    expect(receiver.exports).to.deep.equal([]);
  });

  it('instruments node:http and enables no LLM-client instrumentation: openai v4 gives one span per call', async () => {
    const result = await run('--require', 'openai4.cjs', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^answer: /m);
    const spans = receiver.spans();
    expect(spans.filter(span => span.scope === '@opentelemetry/instrumentation-openai')).to.deep.equal([]);
    const calls = spans.filter(span => span.attributes['url.full'] === `${vllm.origin}/v1/chat/completions`);
    expect(calls.map(span => [span.scope, span.attributes['fi.span.kind']])).to.deep.equal([['@opentelemetry/instrumentation-http', 'LLM']]);
    // On Node < 22 the request body of node:http is not seen, so the model may be missing from the name.
    expect(calls[0].name).to.match(/^chat\b/);
  });

  it('stops the app with an error naming what is missing when the Future AGI variables are incomplete', async () => {
    const result = await run('--import', 'chat.mjs', { FI_API_KEY: 'api-key-1', FI_PROJECT_NAME: 'p' });
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('FI_SECRET_KEY not set');
    expect(result.stdout).to.equal('');
  });
});
