import { expect } from 'chai';
import OpenAI from 'openai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { VLLMSpanProcessorOptions } from '../../src';
import { HIDE_SWITCH_ENV, type HideSwitch } from '../../src/privacy/trace-config';
import { withEnv } from '../support/env';
import { useTracedServer } from '../support/traced-server';
import type { Tracing } from '../support/tracing';
import type { VllmTestServer } from '../support/vllm-server';
import { chatCompletion, chatStreamEvents, embeddingResponse, nestedError } from '../support/vllm-wire';

// Every secret is a distinct string that appears in exactly one place of what the app sends or vLLM answers.
const SECRET = {
  system: 'S3CR3T-SYSTEM-PROMPT',
  userText: 'S3CR3T-USER-TEXT',
  userName: 'S3CR3T-USER-NAME',
  imageUrl: 'https://images.example/S3CR3T-IMAGE-URL.png',
  imageData: 'S3CR3TIMAGEDATA',
  argumentsIn: 'S3CR3T-ARGUMENTS-IN',
  toolResult: 'S3CR3T-TOOL-RESULT',
  toolDescription: 'S3CR3T-TOOL-DESCRIPTION',
  endUser: 'S3CR3T-END-USER',
  embeddingText: 'S3CR3T-EMBEDDING-TEXT',
  outputText: 'S3CR3T-OUTPUT-TEXT',
  reasoning: 'S3CR3T-REASONING',
  argumentsOut: 'S3CR3T-ARGUMENTS-OUT',
  vector: '0.123456',
} as const;
type Secret = keyof typeof SECRET;
const ALL_SECRETS = Object.keys(SECRET) as Secret[];

const INPUT_MESSAGES: Secret[] = ['system', 'userText', 'userName', 'imageUrl', 'imageData', 'argumentsIn', 'toolResult'];
const INPUT_TEXT: Secret[] = ['system', 'userText', 'argumentsIn', 'toolResult', 'embeddingText'];
const OUTPUT_MESSAGES: Secret[] = ['outputText', 'reasoning', 'argumentsOut'];

/** What each switch must hide; every other secret must still be there. */
const HIDDEN_BY: Record<HideSwitch, Secret[]> = {
  hideInputs: [...INPUT_MESSAGES, 'toolDescription', 'endUser', 'embeddingText'],
  hideOutputs: [...OUTPUT_MESSAGES, 'vector'],
  hideInputMessages: INPUT_MESSAGES,
  hideOutputMessages: OUTPUT_MESSAGES,
  hideInputText: INPUT_TEXT,
  hideOutputText: OUTPUT_MESSAGES,
  hideInputImages: ['imageUrl', 'imageData'],
  hideEmbeddingVectors: ['vector'],
};

const MODEL = 'Qwen/Qwen3-8B';
const PROMPT_TOKENS = 42;
const COMPLETION_TOKENS = 7;
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: SECRET.toolDescription, parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const CONVERSATION: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'system', content: SECRET.system },
  {
    role: 'user',
    name: SECRET.userName,
    content: [
      { type: 'text', text: SECRET.userText },
      { type: 'image_url', image_url: { url: SECRET.imageUrl } },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${SECRET.imageData}` } },
    ],
  },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city: SECRET.argumentsIn }) } }] },
  { role: 'tool', tool_call_id: 'call_1', content: SECRET.toolResult },
];
// What vLLM answers a body that fails validation: FastAPI's errors repeat the request.
const ECHOING_ERROR = `[{'type': 'missing', 'loc': ('body', 'model'), 'msg': 'Field required', 'input': {'content': '${SECRET.userText}'}}]`;

/** Non-stream chat, stream with reasoning and a tool call, a 400, and an embedding: every span serialised. */
async function runCalls(server: VllmTestServer, tracing: Tracing): Promise<{ serialised: string; spans: ReadableSpan[] }> {
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'k', maxRetries: 0 });
  server.respondWith(
    { json: chatCompletion({ model: MODEL, content: SECRET.outputText, reasoning: SECRET.reasoning, usage: { promptTokens: PROMPT_TOKENS, completionTokens: COMPLETION_TOKENS } }) },
    {
      events: chatStreamEvents({
        model: MODEL,
        reasoning: ['S3CR3T-', 'REASONING'],
        content: ['S3CR3T-OUTPUT', '-TEXT'],
        toolCalls: [{ id: 'call_2', name: 'get_weather', argumentFragments: ['{"city": "S3CR3T-ARGU', 'MENTS-OUT"}'] }],
        includeUsage: true,
        promptTokens: PROMPT_TOKENS,
      }),
    },
    { status: 400, json: nestedError(ECHOING_ERROR) },
    { json: embeddingResponse({ model: 'e5', embeddings: [[0.123456, -0.5]], promptTokens: 3 }) },
  );
  await client.chat.completions.create({ model: MODEL, messages: CONVERSATION, tools: [WEATHER_TOOL], user: SECRET.endUser });
  const stream = await client.chat.completions.create({ model: MODEL, messages: CONVERSATION, tools: [WEATHER_TOOL], stream: true, stream_options: { include_usage: true } });
  for await (const _chunk of stream);
  await client.chat.completions.create({ model: MODEL, messages: CONVERSATION }).then(
    () => expect.fail('the 400 must throw'),
    (error: unknown) => expect(error).to.be.instanceOf(OpenAI.BadRequestError),
  );
  await client.embeddings.create({ model: 'e5', input: SECRET.embeddingText, encoding_format: 'float' });
  const spans = await tracing.waitForSpans(4);
  const serialised = JSON.stringify(spans.map(span => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })));
  return { serialised, spans };
}

/** Token counts, model and finish reasons survive every switch. */
function expectMetadataKept(spans: ReadableSpan[]): void {
  const [nonStream, stream, failed, embedding] = spans;
  expect(nonStream.attributes['llm.model']).to.equal(MODEL);
  expect(nonStream.attributes['gen_ai.request.model']).to.equal(MODEL);
  expect(nonStream.attributes['llm.token_count.prompt']).to.equal(PROMPT_TOKENS);
  expect(nonStream.attributes['gen_ai.usage.output_tokens']).to.equal(COMPLETION_TOKENS);
  expect(nonStream.attributes['gen_ai.response.finish_reasons']).to.deep.equal(['stop']);
  expect(stream.attributes['gen_ai.response.finish_reasons']).to.deep.equal(['tool_calls']);
  expect(stream.attributes['llm.token_count.prompt']).to.equal(PROMPT_TOKENS);
  expect(stream.attributes['llm.output_messages.0.tool_calls.0.function.name']).to.equal('get_weather');
  expect(failed.attributes['error.type']).to.equal('BadRequestError');
  expect(embedding.attributes['gen_ai.usage.input_tokens']).to.equal(3);
}

function expectSecrets(serialised: string, hidden: readonly Secret[]): void {
  for (const secret of ALL_SECRETS) {
    if (hidden.includes(secret)) expect(serialised, `${secret} leaked`).not.to.contain(SECRET[secret]);
    else expect(serialised, `${secret} should still be recorded`).to.contain(SECRET[secret]);
  }
}

describe('privacy switches hide content everywhere (real openai SDK, every span serialised)', () => {
  const suite = useTracedServer();
  const traced = (processor: VLLMSpanProcessorOptions | undefined, env: Record<string, string | undefined> = {}): Tracing =>
    withEnv(env, () => suite.trace({ processor }));

  it('records every secret when nothing is hidden (the searches below can fail)', async () => {
    const tracing = traced({ genAiContent: true, maxEmbeddingVectorLength: 8 });
    const { serialised, spans } = await runCalls(suite.server, tracing);
    expectSecrets(serialised, []);
    expectMetadataKept(spans);
  });

  for (const name of Object.keys(HIDDEN_BY) as HideSwitch[]) {
    it(`${name} by option hides ${HIDDEN_BY[name].join(', ')}`, async () => {
      const tracing = traced({ traceConfig: { [name]: true }, genAiContent: true, maxEmbeddingVectorLength: 8 });
      const { serialised, spans } = await runCalls(suite.server, tracing);
      expectSecrets(serialised, HIDDEN_BY[name]);
      expectMetadataKept(spans);
    });

    it(`${HIDE_SWITCH_ENV[name]}=true hides the same, with no traceConfig object`, async () => {
      const tracing = traced({ maxEmbeddingVectorLength: 8 }, { [HIDE_SWITCH_ENV[name]]: 'true', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' });
      const { serialised, spans } = await runCalls(suite.server, tracing);
      expectSecrets(serialised, HIDDEN_BY[name]);
      expectMetadataKept(spans);
    });
  }

  it('honours FI_HIDE_INPUTS with no options at all (the anchor ignored it without a config object)', async () => {
    const tracing = traced(undefined, { FI_HIDE_INPUTS: 'TRUE' });
    const { serialised } = await runCalls(suite.server, tracing);
    for (const secret of HIDDEN_BY.hideInputs) expect(serialised, secret).not.to.contain(SECRET[secret]);
    expect(serialised).to.contain(SECRET.outputText);
  });

  it('hides inputs and outputs for OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false', async () => {
    const tracing = traced({ maxEmbeddingVectorLength: 8 }, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' });
    const { serialised, spans } = await runCalls(suite.server, tracing);
    expectSecrets(serialised, [...HIDDEN_BY.hideInputs, ...HIDDEN_BY.hideOutputs]);
    expectMetadataKept(spans);
  });

  it('lets an option beat its environment variable, both ways', async () => {
    const tracing = traced({ traceConfig: { hideInputs: false, hideOutputs: true }, maxEmbeddingVectorLength: 8 }, { FI_HIDE_INPUTS: 'true', FI_HIDE_OUTPUTS: 'false' });
    const { serialised } = await runCalls(suite.server, tracing);
    expectSecrets(serialised, HIDDEN_BY.hideOutputs);
  });

  it('replaces base64 images longer than FI_BASE64_IMAGE_MAX_LENGTH in every attribute, hiding nothing else', async () => {
    const image = `data:image/png;base64,${'QUJD'.repeat(40)}`;
    const tracing = traced({ genAiContent: true }, { FI_BASE64_IMAGE_MAX_LENGTH: '100' });
    suite.server.respondWith({ json: chatCompletion({ model: MODEL, content: 'ok' }) });
    const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
    await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: image } }] }],
    });
    const [span] = await tracing.waitForSpans(1);
    expect(JSON.stringify(span.attributes)).not.to.contain('QUJDQUJD');
    expect(span.attributes['llm.input_messages.0.contents.1.image_url']).to.equal('__REDACTED__');
    expect(span.attributes['llm.input_messages.0.contents.0.text']).to.equal('describe');
    const parts = JSON.parse(span.attributes['gen_ai.input.messages'] as string)[0].parts;
    expect(parts).to.deep.equal([{ type: 'text', content: 'describe' }, { type: 'blob', modality: 'image', mime_type: 'image/png', content: '__REDACTED__' }]);
    expect(JSON.parse(span.attributes['input.value'] as string).messages[0].content[1].image_url.url).to.equal('__REDACTED__');
  });
});
