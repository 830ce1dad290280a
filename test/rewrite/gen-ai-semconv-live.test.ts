import { expect } from 'chai';
import OpenAI from 'openai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as A from '../../src/attributes';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../../src/capture/semconv-http';
import type { Tracing } from '../support/tracing';
import { useTracedServer } from '../support/traced-server';
import { DONE_EVENT, chatStreamEvents, streamErrorEvent } from '../support/vllm-wire';
import { contentViolations } from './semconv-content';
import { conventionViolations } from './semconv-conformance';
import { SEMCONV_VERSION } from './semconv-model';

/** One traced call: its exported span and the request body the server received. */
interface TracedCall {
  span: ReadableSpan;
  request: Record<string, unknown> | undefined;
}

const TOOLS = [{ type: 'function' as const, function: { name: 'lookup', description: 'Find', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];

describe(`GenAI semantic conventions v${SEMCONV_VERSION} on real spans of every endpoint`, () => {
  const suite = useTracedServer({ reasoningTokens: 2 });
  const client = () => new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });

  /** Runs `call` (its failure is the point of some cases) and returns its span, once ended, with the request the server got. */
  async function traced(tracing: Tracing, call: () => Promise<unknown>): Promise<TracedCall> {
    const before = tracing.spans().length;
    const received = suite.server.requests.length;
    await call().catch(() => undefined);
    const spans = await tracing.waitForSpans(before + 1);
    const body = suite.server.requests[received]?.body;
    return { span: spans[before], request: body === undefined || body === '' ? undefined : (JSON.parse(body) as Record<string, unknown>) };
  }

  /** Everything the conventions ask of one LLM span: CLIENT kind, server.* and the attribute, name and content rules. */
  function violations({ span, request }: TracedCall): string[] {
    const facts = { request, failed: span.status.code === SpanStatusCode.ERROR };
    return [
      ...(span.kind === SpanKind.CLIENT ? [] : [`span kind ${SpanKind[span.kind]}, expected CLIENT`]),
      ...(span.attributes[ATTR_SERVER_ADDRESS] === undefined ? ['recommended server.address missing'] : []),
      ...conventionViolations(span.name, span.attributes, facts),
    ];
  }

  const post = (path: string, body: unknown) => () => fetch(`${suite.server.baseUrl.replace(/\/v1$/, '')}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(response => response.text());
  const drain = async (stream: AsyncIterable<unknown>): Promise<void> => {
    for await (const _chunk of stream);
  };

  it('chat, completions, embeddings, Responses, rerank, score and classify spans conform', async () => {
    const tracing = suite.trace({ processor: { genAiContent: true } });
    const calls: TracedCall[] = [];
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'lookup cats' },
    ];
    calls.push(await traced(tracing, () => client().chat.completions.create({ model: 'm', messages, seed: 7, n: 2, temperature: 0.5, top_p: 1, stop: ['\n'], max_tokens: 4, response_format: { type: 'json_object' } })));
    calls.push(await traced(tracing, () => client().chat.completions.create({ model: 'm', messages, tools: TOOLS })));
    calls.push(await traced(tracing, async () => drain(await client().chat.completions.create({ model: 'm', messages, tools: TOOLS, stream: true, stream_options: { include_usage: true } }))));
    calls.push(await traced(tracing, async () => drain(await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Tell me' }], stream: true, max_tokens: 5 }))));
    calls.push(await traced(tracing, () => client().completions.create({ model: 'c', prompt: 'The sky is', max_tokens: 3, seed: 1 })));
    calls.push(await traced(tracing, async () => drain(await client().completions.create({ model: 'c', prompt: ['a', 'b'], n: 2, stream: true, stream_options: { include_usage: true } }))));
    calls.push(await traced(tracing, () => client().embeddings.create({ model: 'e', input: ['x', 'y'], encoding_format: 'float' })));
    calls.push(await traced(tracing, () => client().embeddings.create({ model: 'e', input: 'x', encoding_format: 'base64' })));
    calls.push(await traced(tracing, () => client().responses.create({ model: 'r', instructions: 'Answer in French.', input: 'lookup cats', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' }, strict: false }], text: { format: { type: 'text' } } })));
    calls.push(await traced(tracing, async () => drain(await client().responses.create({ model: 'r', input: 'Say hi', stream: true }))));
    calls.push(await traced(tracing, post('/rerank', { model: 'k', query: 'q', documents: ['a', 'b'] })));
    calls.push(await traced(tracing, post('/score', { model: 'k', text_1: 'q', text_2: ['a', 'b'] })));
    calls.push(await traced(tracing, post('/classify', { model: 'k', input: ['good', 'bad'] })));

    expect(calls.map(call => call.span.attributes[A.GEN_AI_OPERATION_NAME])).to.deep.equal([
      'chat', 'chat', 'chat', 'chat', 'text_completion', 'text_completion', 'embeddings', 'embeddings', 'chat', 'chat', 'rerank', 'score', 'classify',
    ]);
    // The cases reach every content attribute: a check on none would pass vacuously.
    for (const key of [A.GEN_AI_INPUT_MESSAGES, A.GEN_AI_OUTPUT_MESSAGES, A.GEN_AI_TOOL_DEFINITIONS, A.GEN_AI_SYSTEM_INSTRUCTIONS, A.GEN_AI_OUTPUT_TYPE, A.GEN_AI_REQUEST_SEED, A.GEN_AI_REQUEST_CHOICE_COUNT, A.GEN_AI_REQUEST_STREAM]) {
      expect(calls.some(call => call.span.attributes[key] !== undefined), key).to.equal(true);
    }
    for (const call of calls) expect(violations(call), call.span.name).to.deep.equal([]);
    for (const call of calls) expect(call.span.attributes[ATTR_SERVER_PORT]).to.equal(suite.server.port);
  });

  it('failed calls conform: an HTTP error, a stream error event, a connection reset (error.type set, output messages finished with "error")', async () => {
    const tracing = suite.trace({ processor: { genAiContent: true } });
    const story = chatStreamEvents({ model: 'm', content: ['Once', ' upon', ' a time'], done: false });
    suite.server.respondWith(
      { status: 404, json: { object: 'error', message: 'no model', type: 'NotFoundError', param: null, code: 404 } },
      { events: [...story.slice(0, 3), streamErrorEvent('engine died', 'InternalServerError', 500), DONE_EVENT], delayMs: 1 },
      { events: story, delayMs: 5, resetAfter: 3 },
    );
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'Tell a story' }] };
    const calls = [
      await traced(tracing, () => client().chat.completions.create(request)),
      await traced(tracing, async () => drain(await client().chat.completions.create({ ...request, stream: true }))),
      await traced(tracing, async () => drain(await client().chat.completions.create({ ...request, stream: true }))),
    ];
    for (const call of calls) {
      expect(call.span.status.code, call.span.name).to.equal(SpanStatusCode.ERROR);
      expect(violations(call), call.span.name).to.deep.equal([]);
    }
    for (const call of calls.slice(1)) {
      expect(JSON.parse(call.span.attributes[A.GEN_AI_OUTPUT_MESSAGES] as string).map((message: { finish_reason?: unknown }) => message.finish_reason)).to.deep.equal(['error']);
    }
  });

  it('gives the output message of a stream the capture cut (maxBodyBytes) a finish_reason, which the output messages schema requires', async () => {
    // Not an error (the call itself finished; only our copy of the body was cut), yet the message must say how it finished.
    const tracing = suite.trace({ processor: { genAiContent: true, maxBodyBytes: 600 } });
    const call = await traced(tracing, async () => drain(await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Tell a long story' }], stream: true, max_tokens: 40 })));
    expect(call.span.attributes[A.VLLM_CAPTURE_TRUNCATED]).to.equal(true);
    expect(contentViolations(A.GEN_AI_OUTPUT_MESSAGES, call.span.attributes[A.GEN_AI_OUTPUT_MESSAGES])).to.deep.equal([]);
  });
});
