import { expect } from 'chai';
import fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { VLLMSpanProcessorOptions } from '../../src';
import { HIDE_SWITCH_ENV, type HideSwitch } from '../../src/privacy/trace-config';
import { withEnv } from '../support/env';
import { useTracedServer } from '../support/traced-server';
import type { Tracing } from '../support/tracing';
import type { VllmTestServer } from '../support/vllm-server';
import {
  chatCompletion,
  chatStreamEvents,
  classifyResponse,
  completion,
  embeddingResponse,
  nestedError,
  poolingResponse,
  rerankResponse,
  responseMessageItem,
  responsesResponse,
  responsesStreamEvents,
  scoreResponse,
} from '../support/vllm-wire';

/**
 * Issue 17 item 4: a random secret planted in every input field of every endpoint, in the
 * answers, and in error descriptions that repeat the request; for each switch on its own,
 * every exported span (name, attributes, events, status, links) and every metric point is
 * serialised and searched for each secret the switch promises to hide.
 */

const ALL_SWITCHES: readonly HideSwitch[] = Object.keys(HIDE_SWITCH_ENV) as HideSwitch[];

// Which switches promise to hide a field (README, Privacy): every field below names one of these.
const IN_TEXT: readonly HideSwitch[] = ['hideInputs', 'hideInputMessages', 'hideInputText'];
const IN_NAME: readonly HideSwitch[] = ['hideInputs', 'hideInputMessages'];
const IN_IMAGE: readonly HideSwitch[] = ['hideInputs', 'hideInputMessages', 'hideInputImages'];
const IN_TEXT_NOT_MESSAGE: readonly HideSwitch[] = ['hideInputs', 'hideInputText'];
const IN_ALL: readonly HideSwitch[] = ['hideInputs'];
const OUT_TEXT: readonly HideSwitch[] = ['hideOutputs', 'hideOutputMessages', 'hideOutputText'];
const OUT_LABEL: readonly HideSwitch[] = ['hideOutputs', 'hideOutputText'];
const OUT_VECTOR: readonly HideSwitch[] = ['hideOutputs', 'hideEmbeddingVectors'];
const OUT_PROBS: readonly HideSwitch[] = ['hideOutputs'];

/** Every planted field and the switches that must hide it. */
const FIELDS = {
  chatSystem: IN_TEXT,
  chatUserText: IN_TEXT,
  chatUserName: IN_NAME,
  chatImage: IN_IMAGE,
  chatArgumentsIn: IN_TEXT,
  chatToolResult: IN_TEXT,
  chatToolDescription: IN_ALL,
  chatEndUser: IN_ALL,
  chatOutput: OUT_TEXT,
  chatReasoning: OUT_TEXT,
  chatArgumentsOut: OUT_TEXT,
  streamOutput: OUT_TEXT,
  completionPrompt: IN_TEXT,
  completionOutput: OUT_TEXT,
  embeddingInput: IN_TEXT_NOT_MESSAGE,
  poolingInput: IN_TEXT_NOT_MESSAGE,
  rerankQuery: IN_TEXT_NOT_MESSAGE,
  rerankDocument: IN_TEXT_NOT_MESSAGE,
  scoreQuery: IN_TEXT_NOT_MESSAGE,
  scoreDocument: IN_TEXT_NOT_MESSAGE,
  classifyInput: IN_TEXT,
  classifyLabel: OUT_LABEL,
  responsesInput: IN_TEXT,
  responsesInstructions: IN_TEXT,
  responsesImage: IN_IMAGE,
  responsesToolDescription: IN_ALL,
  responsesUser: IN_ALL,
  responsesSchema: IN_ALL,
  responsesOutput: OUT_TEXT,
  responsesStreamOutput: OUT_TEXT,
  errorPrompt: IN_TEXT,
  errorImage: IN_IMAGE,
} satisfies Record<string, readonly HideSwitch[]>;
type Field = keyof typeof FIELDS;

/** Numbers planted in vectors and probabilities: distinctive decimals. */
const NUMBERS = { embeddingVector: OUT_VECTOR, poolingVector: OUT_VECTOR, classifyProbability: OUT_PROBS } satisfies Record<string, readonly HideSwitch[]>;
type NumberField = keyof typeof NUMBERS;

interface Plant {
  text: Record<Field, string>;
  number: Record<NumberField, number>;
  /** How the 400 repeats the request. */
  errorForm: number;
}

const plantArbitrary: fc.Arbitrary<Plant> = fc
  .record({
    base: fc.stringMatching(/^[a-z0-9]{4,8}( [a-z0-9]{2,6})?$/),
    digits: fc.array(fc.integer({ min: 100_001, max: 999_999 }).filter(n => n % 10 !== 0), { minLength: 3, maxLength: 3 }),
    errorForm: fc.nat({ max: 3 }),
  })
  .map(({ base, digits, errorForm }) => ({
    text: Object.fromEntries(
      (Object.keys(FIELDS) as Field[]).map(field => [field, field.endsWith('Image') ? `https://img.example/Z${base.replace(' ', '-')}_${field}.png` : `Z${base}_${field}`]),
    ) as Record<Field, string>,
    number: { embeddingVector: Number(`0.${digits[0]}7`), poolingVector: Number(`0.${digits[1]}3`), classifyProbability: Number(`0.${digits[2]}9`) },
    errorForm,
  }));

// The forms in which vLLM's 400s repeat what was sent.
const ERROR_FORMS: ReadonlyArray<(s: Plant['text']) => string> = [
  s => `Invalid content: '${s.errorPrompt}'`,
  s => `Failed to load image from url='${s.errorImage}'`,
  s => `[{'type': 'string_type', 'loc': ('body', 'messages', 0, 'content'), 'msg': 'Input should be a valid string', 'input': {'content': '${s.errorPrompt}', 'url': '${s.errorImage}'}}]`,
  s => `Could not process "${s.errorPrompt}" with image "${s.errorImage}"`,
];
const ERROR_FIELDS: ReadonlyArray<readonly Field[]> = [['errorPrompt'], ['errorImage'], ['errorPrompt', 'errorImage'], ['errorPrompt', 'errorImage']];

const MODEL = 'Qwen/Qwen3-8B';

/** Every call, each answered by a scripted body that carries the output secrets. */
async function runCalls(server: VllmTestServer, s: Plant['text'], n: Plant['number'], errorForm: number): Promise<number> {
  const post = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${server.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.text();
  };
  const chatRequest = {
    model: MODEL,
    user: s.chatEndUser,
    tools: [{ type: 'function', function: { name: 'lookup', description: s.chatToolDescription, parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
    messages: [
      { role: 'system', content: s.chatSystem },
      { role: 'user', name: s.chatUserName, content: [{ type: 'text', text: s.chatUserText }, { type: 'image_url', image_url: { url: s.chatImage } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ q: s.chatArgumentsIn }) } }] },
      { role: 'tool', tool_call_id: 'call_1', content: s.chatToolResult },
    ],
  };
  // vLLM's prompt_logprobs hold the prompt's tokens as text.
  const promptLogprobs = (token: string) => [null, { '7': { logprob: -1.5, rank: 1, decoded_token: token } }];
  const responsesRequest = {
    model: MODEL,
    instructions: s.responsesInstructions,
    input: [{ role: 'user', content: [{ type: 'input_text', text: s.responsesInput }, { type: 'input_image', image_url: s.responsesImage }] }],
    tools: [{ type: 'function', name: 'lookup', description: s.responsesToolDescription, parameters: { type: 'object', properties: {} } }],
    user: s.responsesUser,
    text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', description: s.responsesSchema } } },
  };
  // vLLM's response object repeats these request fields (ResponsesResponse.from_request).
  const responsesEchoes = { instructions: responsesRequest.instructions, tools: responsesRequest.tools, user: responsesRequest.user, text: responsesRequest.text };
  const half = (text: string) => [text.slice(0, 5), text.slice(5)];

  server.respondWith(
    {
      json: chatCompletion({
        model: MODEL,
        content: s.chatOutput,
        reasoning: s.chatReasoning,
        toolCalls: [{ id: 'call_2', name: 'lookup', arguments: JSON.stringify({ q: s.chatArgumentsOut }) }],
        promptLogprobs: promptLogprobs(s.chatUserText),
      }),
    },
    { events: chatStreamEvents({ model: MODEL, content: half(s.streamOutput), includeUsage: true, promptTokens: 3 }) },
    { json: completion({ model: MODEL, text: s.completionOutput, promptLogprobs: promptLogprobs(s.completionPrompt) }) },
    { json: embeddingResponse({ model: 'e5', embeddings: [[n.embeddingVector, 0.5]], promptTokens: 2 }) },
    { json: poolingResponse({ model: 'e5', data: [[n.poolingVector, 0.25]], promptTokens: 2 }) },
    { json: rerankResponse({ model: 'bge', results: [{ index: 0, text: s.rerankDocument, score: 0.75 }] }) },
    { json: scoreResponse({ model: 'bge', scores: [0.625] }) },
    { json: classifyResponse({ model: 'cls', results: [{ label: s.classifyLabel, probs: [n.classifyProbability, 0.125] }] }) },
    { json: { ...responsesResponse({ model: MODEL, output: [responseMessageItem(s.responsesOutput)] }), ...responsesEchoes } },
    { events: withResponseFields(responsesStreamEvents({ model: MODEL, deltas: half(s.responsesStreamOutput) }), responsesEchoes) },
    { status: 400, json: nestedError(ERROR_FORMS[errorForm](s)) },
  );
  await post('/v1/chat/completions', chatRequest);
  await post('/v1/chat/completions', { ...chatRequest, stream: true, stream_options: { include_usage: true } });
  await post('/v1/completions', { model: MODEL, prompt: s.completionPrompt, prompt_logprobs: 1 });
  await post('/v1/embeddings', { model: 'e5', input: s.embeddingInput });
  await post('/pooling', { model: 'e5', input: s.poolingInput });
  await post('/rerank', { model: 'bge', query: s.rerankQuery, documents: [s.rerankDocument] });
  await post('/score', { model: 'bge', text_1: s.scoreQuery, text_2: [s.scoreDocument] });
  await post('/classify', { model: 'cls', input: [s.classifyInput] });
  await post('/v1/responses', responsesRequest);
  await post('/v1/responses', { ...responsesRequest, stream: true });
  await post('/v1/chat/completions', { model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: s.errorPrompt }, { type: 'image_url', image_url: { url: s.errorImage } }] }] });
  return 11;
}

/** Responses stream events whose `response` objects (created, in progress, completed) carry `fields` too. */
function withResponseFields(events: string[], fields: Record<string, unknown>): string[] {
  return events.map(event => {
    const [head, data] = event.split('data: ');
    const payload = JSON.parse(data);
    if (payload.response !== undefined) Object.assign(payload.response, fields);
    return `${head}data: ${JSON.stringify(payload)}\n\n`;
  });
}

/** Everything an exporter sees of a span that could carry content. */
function serialiseSpans(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(spans.map(span => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, links: span.links })));
}

/** A reader the test collects from on demand. */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

// The only attributes the GenAI client metrics may carry: names, settings and counts, never content.
const METRIC_ATTRIBUTE_KEYS = new Set(['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.token.type', 'server.address', 'server.port', 'error.type']);

/** The attributes of every gen_ai.* metric point. */
async function metricAttributes(reader: MetricReader): Promise<Attributes[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap(scope => scope.metrics)
    .filter(metric => metric.descriptor.name.startsWith('gen_ai.'))
    .flatMap(metric => (metric.dataPoints as Array<{ attributes: Attributes }>).map(point => point.attributes));
}

/** A JSON-serialised text holds `text` (as JSON would write it). */
const holds = (serialised: string, text: string): boolean => serialised.includes(JSON.stringify(text).slice(1, -1));

/** The secrets of `plant` that `hidden` promises to hide, and the rest. */
function secretsOf(plant: Plant, hidden: ReadonlySet<HideSwitch>): Array<{ name: string; value: string; mustHide: boolean; numeric: boolean }> {
  const planted = new Set<Field>([...(Object.keys(FIELDS) as Field[]).filter(field => !field.startsWith('error')), ...ERROR_FIELDS[plant.errorForm]]);
  return [
    ...[...planted].map(field => ({ name: field, value: plant.text[field], mustHide: FIELDS[field].some(name => hidden.has(name)), numeric: false })),
    ...(Object.keys(NUMBERS) as NumberField[]).map(field => ({ name: field, value: String(plant.number[field]), mustHide: NUMBERS[field].some(name => hidden.has(name)), numeric: true })),
  ];
}

interface Setup {
  title: string;
  hidden: readonly HideSwitch[];
  options?: VLLMSpanProcessorOptions;
  env?: Record<string, string>;
}

const SETUPS: Setup[] = [
  ...ALL_SWITCHES.map(name => ({ title: `${name} by option`, hidden: [name], options: { traceConfig: { [name]: true } } })),
  ...ALL_SWITCHES.map(name => ({ title: `${HIDE_SWITCH_ENV[name]}=true`, hidden: [name], env: { [HIDE_SWITCH_ENV[name]]: 'true' } })),
  {
    title: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false',
    hidden: ['hideInputs', 'hideOutputs'],
    options: { genAiContent: false },
    env: { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' },
  },
];

describe('hidden means hidden on every path (a random secret in every field of every endpoint, each switch on its own)', () => {
  const suite = useTracedServer();
  const RUNS = 2;

  /** Runs every call with fresh secrets `RUNS` times under one processor, checking spans and metrics after each run. */
  async function check(setup: Setup, expectSecrets: (serialised: string, plant: Plant) => void): Promise<void> {
    const reader = new CollectingReader();
    const processor: VLLMSpanProcessorOptions = { genAiContent: true, maxEmbeddingVectorLength: 8, ...setup.options, meterProvider: new MeterProvider({ readers: [reader] }) };
    const tracing: Tracing = withEnv(setup.env ?? {}, () => suite.trace({ processor }));
    await fc.assert(
      fc.asyncProperty(plantArbitrary, async plant => {
        tracing.exporter.reset();
        const calls = await runCalls(suite.server, plant.text, plant.number, plant.errorForm);
        const spans = await tracing.waitForSpans(calls);
        expect(spans.filter(span => span.attributes['fi.span.kind'] !== undefined), 'every call became an LLM span').to.have.length(calls);
        expectSecrets(serialiseSpans(spans), plant);
        const points = await metricAttributes(reader);
        expect(points.length, 'metrics were recorded').to.be.greaterThan(0);
        for (const attributes of points) expect(Object.keys(attributes).filter(key => !METRIC_ATTRIBUTE_KEYS.has(key)), 'metric attribute keys').to.deep.equal([]);
        const metricText = JSON.stringify(points);
        for (const { name, value, numeric } of secretsOf(plant, new Set(ALL_SWITCHES))) {
          if (!numeric) expect(holds(metricText, value), `${name} in a metric attribute`).to.equal(false);
        }
      }),
      { numRuns: RUNS },
    );
  }

  it('records every planted secret when nothing is hidden (so that each search below can fail)', async () => {
    await check({ title: 'nothing', hidden: [] }, (serialised, plant) => {
      for (const { name, value } of secretsOf(plant, new Set())) expect(holds(serialised, value), `${name} should be recorded`).to.equal(true);
    });
  });

  for (const setup of SETUPS) {
    it(`${setup.title} hides every secret it promises to, on every endpoint and in errors`, async () => {
      await check(setup, (serialised, plant) => {
        const leaks = secretsOf(plant, new Set(setup.hidden)).filter(({ value, mustHide }) => mustHide && holds(serialised, value));
        expect(leaks.map(({ name }) => name), 'leaked').to.deep.equal([]);
      });
    });
  }
});

describe('Responses API answers that repeat the request', () => {
  const suite = useTracedServer();
  const SECRETS = { instructions: 'R3SP-INSTRUCTIONS', tool: 'R3SP-TOOL-DESCRIPTION', schema: 'R3SP-SCHEMA', user: 'R3SP-END-USER', variable: 'R3SP-PROMPT-VARIABLE', meta: 'R3SP-METADATA', message: 'R3SP-INPUT-MESSAGE' };
  const request = {
    model: MODEL,
    input: 'hello',
    instructions: SECRETS.instructions,
    tools: [{ type: 'function', name: 'lookup', description: SECRETS.tool, parameters: { type: 'object', properties: { q: { type: 'string', description: SECRETS.tool } } } }],
    user: SECRETS.user,
    metadata: { topic: SECRETS.meta },
    text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', description: SECRETS.schema } } },
  };
  // Every request field vLLM's response object repeats, as it repeats them (enable_response_messages adds input_messages).
  const echoes = {
    instructions: request.instructions,
    tools: request.tools,
    user: request.user,
    metadata: request.metadata,
    text: request.text,
    prompt: { id: 'pmpt_1', version: '2', variables: { name: SECRETS.variable } },
    input_messages: [{ role: 'user', content: SECRETS.message }],
  };
  const nonStream = () => ({ json: { ...responsesResponse({ model: MODEL, output: [responseMessageItem('ANSWER-TEXT')] }), ...echoes } });
  const stream = () => ({ events: withResponseFields(responsesStreamEvents({ model: MODEL, deltas: ['ANSWER-', 'TEXT'] }), echoes) });

  for (const name of ['hideInputs', 'hideInputMessages', 'hideInputText'] as const) {
    for (const streamed of [false, true]) {
      it(`${name} hides what output.value repeats of the request (${streamed ? 'stream' : 'non-stream'}), keeping the answer and the structure`, async () => {
        const tracing = suite.trace({ processor: { traceConfig: { [name]: true } } });
        suite.server.respondWith(streamed ? stream : nonStream());
        const response = await fetch(`${suite.server.origin}/v1/responses`, { method: 'POST', body: JSON.stringify({ ...request, stream: streamed }), headers: { 'content-type': 'application/json' } });
        await response.text();
        const [span] = await tracing.waitForSpans(1);
        const output = span.attributes['output.value'] as string;
        for (const secret of Object.values(SECRETS)) expect(output, secret).not.to.contain(secret);
        const body = JSON.parse(output);
        expect(body.output[0].content[0].text).to.equal('ANSWER-TEXT');
        expect(body.tools[0]).to.include({ type: 'function', name: 'lookup' });
        expect(body.text.format.type).to.equal('json_schema');
        expect(body.prompt).to.include({ id: 'pmpt_1', version: '2' });
        expect(body.user).to.equal('__REDACTED__');
        expect(body.model).to.equal(MODEL);
      });
    }
  }

  it('keeps the repeated request fields when no input switch is on', async () => {
    const tracing = suite.trace({ processor: { traceConfig: { hideOutputText: false, hideEmbeddingVectors: true } } });
    suite.server.respondWith(nonStream());
    await (await fetch(`${suite.server.origin}/v1/responses`, { method: 'POST', body: JSON.stringify(request), headers: { 'content-type': 'application/json' } })).text();
    const [span] = await tracing.waitForSpans(1);
    for (const secret of Object.values(SECRETS)) expect(span.attributes['output.value']).to.contain(secret);
  });
});

describe('an error description that repeats the request unquoted (the processor passes the request body to maskStatus)', () => {
  const suite = useTracedServer();
  const PROMPT = 'Please summarise the merger memo for Project Falcon';

  for (const name of ['hideInputs', 'hideInputMessages', 'hideInputText'] as const) {
    it(`${name}: the span status keeps the description without the prompt`, async () => {
      const tracing = suite.trace({ processor: { traceConfig: { [name]: true } } });
      suite.server.respondWith({ status: 400, json: nestedError(`The prompt ${PROMPT} could not be tokenized`) });
      const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] });
      await (await fetch(`${suite.server.origin}/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).text();
      const [span] = await tracing.waitForSpans(1);
      expect(span.status.message).to.equal('The prompt __REDACTED__ could not be tokenized');
    });
  }

  it('keeps the description as it is when no input switch is on', async () => {
    const tracing = suite.trace({ processor: { traceConfig: { hideOutputs: true } } });
    suite.server.respondWith({ status: 400, json: nestedError(`The prompt ${PROMPT} could not be tokenized`) });
    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] });
    await (await fetch(`${suite.server.origin}/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).text();
    const [span] = await tracing.waitForSpans(1);
    expect(span.status.message).to.equal(`The prompt ${PROMPT} could not be tokenized`);
  });
});
