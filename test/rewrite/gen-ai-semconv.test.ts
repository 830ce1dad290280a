import { expect } from 'chai';
import * as fs from 'fs';
import OpenAI from 'openai';
import * as path from 'path';
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { VLLMSpanProcessorOptions } from '../../src';
import * as A from '../../src/attributes';
import { interpretExchange } from '../../src/interpret/interpret';
import { getGenAiInputMessagesAttributes, getGenAiOutputMessagesAttributes, getGenAiSystemInstructionsAttributes, getGenAiToolDefinitionsAttributes } from '../../src/mappers/gen-ai-content';
import { resolveOptions } from '../../src/options';
import { SchemaValidator } from '../../src/interpret/validation';
import { EXCHANGES, goldenScenarios, loadExchange, loadMeta } from '../support/golden';
import { useTracedServer } from '../support/traced-server';
import { DONE_EVENT, chatStreamEvents, responsesResponse, streamErrorEvent } from '../support/vllm-wire';
import { contentViolations } from './semconv-content';
import { conventionViolations } from './semconv-conformance';
import { SEMCONV_VERSION, registryAttribute, spanDefinition } from './semconv-model';
import { SPAN_OF_OPERATION } from './semconv-span-rules';

const genAiKeys = (attributes: Attributes): string[] => Object.keys(attributes).filter(key => key.startsWith(A.GEN_AI_NAMESPACE));

/** The request body of a golden scenario, parsed; undefined when it is not JSON. */
function goldenRequest(folder: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(folder, 'request.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

describe('GenAI semantic conventions', () => {
  describe(`golden exchanges against semantic conventions v${SEMCONV_VERSION} (registry types and enums, span requirements, span name, content schemas)`, () => {
    const validator = new SchemaValidator();
    for (const scenario of goldenScenarios()) {
      it(scenario, () => {
        const folder = path.join(EXCHANGES, scenario);
        const options = resolveOptions({ ...loadMeta(folder).options, genAiContent: true });
        const rewrite = interpretExchange(loadExchange(folder), { validator, options }, () => undefined);
        const facts = { request: goldenRequest(folder), failed: rewrite.status?.code === SpanStatusCode.ERROR };
        expect(conventionViolations(rewrite.name, rewrite.attributes, facts)).to.deep.equal([]);
      });
    }

    it('every gen_ai.* key src/attributes.ts spells is a registry attribute, not deprecated', () => {
      const keys = Object.values(A as Record<string, unknown>).filter((value): value is string => typeof value === 'string' && value.startsWith(A.GEN_AI_NAMESPACE) && value !== A.GEN_AI_NAMESPACE);
      expect(keys).to.include(A.GEN_AI_REQUEST_MODEL);
      expect(keys.filter(key => registryAttribute(key) === undefined || registryAttribute(key)!.deprecated !== undefined)).to.deep.equal([]);
    });

    it('checks the spans the conventions define as CLIENT spans', () => {
      for (const id of new Set(Object.values(SPAN_OF_OPERATION))) expect(spanDefinition(id).spanKind, id).to.equal('client');
    });

    it('fails on a wrong type, an unlisted enum value, a missing requirement, a bad content part and a wrong name', () => {
      // The rules themselves: a check that cannot fail proves nothing.
      const request = { model: 'm', seed: 1, stream: true };
      const good: Attributes = {
        [A.GEN_AI_OPERATION_NAME]: 'chat',
        [A.GEN_AI_PROVIDER_NAME]: 'vllm',
        [A.GEN_AI_REQUEST_MODEL]: 'm',
        [A.GEN_AI_REQUEST_SEED]: 1,
        [A.GEN_AI_REQUEST_STREAM]: true,
      };
      expect(conventionViolations('chat m', good, { request, failed: false })).to.deep.equal([]);
      const broken = (change: Attributes, name = 'chat m', failed = false): string[] => conventionViolations(name, { ...good, ...change }, { request, failed });
      expect(broken({ [A.GEN_AI_USAGE_INPUT_TOKENS]: '3' })).to.have.length(1);
      expect(broken({ [A.GEN_AI_USAGE_INPUT_TOKENS]: 1.5 })).to.have.length(1);
      expect(broken({ [A.GEN_AI_PROVIDER_NAME]: 'vlm' })).to.have.length(1);
      expect(broken({ [A.GEN_AI_REQUEST_SEED]: undefined })).to.have.length(1);
      expect(broken({}, 'chat m', true)).to.have.length(1);
      expect(broken({ [A.ERROR_TYPE]: 'X' })).to.have.length(1);
      expect(broken({ 'gen_ai.system': 'vllm' })).to.have.length(2);
      expect(broken({ [A.GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text' }], finish_reason: 'stop' }]) })).to.have.length(1);
      expect(broken({}, 'chat')).to.have.length(1);
    });
  });

  describe('structured content in the conventions JSON shape', () => {
    it('maps a conversation with system, multimodal user, tool call and tool result to gen_ai.input.messages', () => {
      const json = getGenAiInputMessagesAttributes([
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://img.example/a.png' } },
            { type: 'image_url', image_url: 'data:image/jpeg;base64,QUJD' },
            { type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } },
            'and this?',
          ],
        },
        { role: 'assistant', content: null, reasoning_content: 'Look first.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'a cat' }] },
      ])[A.GEN_AI_INPUT_MESSAGES];
      expect(contentViolations(A.GEN_AI_INPUT_MESSAGES, json)).to.deep.equal([]);
      expect(JSON.parse(json as string)).to.deep.equal([
        { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
        {
          role: 'user',
          name: 'alice',
          parts: [
            { type: 'text', content: 'What is this?' },
            { type: 'uri', modality: 'image', uri: 'https://img.example/a.png' },
            { type: 'blob', modality: 'image', mime_type: 'image/jpeg', content: 'QUJD' },
            { type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: 'UklG' },
            { type: 'text', content: 'and this?' },
          ],
        },
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'Look first.' },
            { type: 'tool_call', id: 'c1', name: 'lookup', arguments: { q: 'cat' } },
          ],
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'a cat' }] },
      ]);
    });

    it('maps choices to gen_ai.output.messages in index order with the conventions finish reasons', () => {
      const json = getGenAiOutputMessagesAttributes([
        { index: 1, message: { role: 'assistant', content: 'second' }, finish_reason: 'length' },
        { index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', function: { name: 'f', arguments: 'not json' } }] }, finish_reason: 'tool_calls' },
      ])[A.GEN_AI_OUTPUT_MESSAGES];
      expect(contentViolations(A.GEN_AI_OUTPUT_MESSAGES, json)).to.deep.equal([]);
      expect(JSON.parse(json as string)).to.deep.equal([
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: 'not json' }], finish_reason: 'tool_call' },
        { role: 'assistant', parts: [{ type: 'text', content: 'second' }], finish_reason: 'length' },
      ]);
    });

    it('maps tool definitions of both API styles and system instructions', () => {
      const tools = getGenAiToolDefinitionsAttributes([
        { type: 'function', function: { name: 'lookup', description: 'Find', parameters: { type: 'object' } } },
        { type: 'function', name: 'flat', parameters: { type: 'object' } },
      ]);
      expect(contentViolations(A.GEN_AI_TOOL_DEFINITIONS, tools[A.GEN_AI_TOOL_DEFINITIONS])).to.deep.equal([]);
      expect(JSON.parse(tools['gen_ai.tool.definitions'] as string)).to.deep.equal([
        { type: 'function', name: 'lookup', description: 'Find', parameters: { type: 'object' } },
        { type: 'function', name: 'flat', parameters: { type: 'object' } },
      ]);
      expect(getGenAiToolDefinitionsAttributes([])).to.deep.equal({});
      const instructions = getGenAiSystemInstructionsAttributes('Answer in French.')[A.GEN_AI_SYSTEM_INSTRUCTIONS];
      expect(contentViolations(A.GEN_AI_SYSTEM_INSTRUCTIONS, instructions)).to.deep.equal([]);
      expect(JSON.parse(instructions as string)).to.deep.equal([
        { type: 'text', content: 'Answer in French.' },
      ]);
      expect(getGenAiSystemInstructionsAttributes(null)).to.deep.equal({});
    });
  });

  describe('the semconv option on real spans', () => {
    const suite = useTracedServer();

    /** One streamed chat with a tool; returns the attributes at span start and at export. */
    async function streamedChat(options: VLLMSpanProcessorOptions): Promise<{ atStart: Attributes; atEnd: Attributes }> {
      const atStart: Attributes[] = [];
      const tracing = suite.trace({
        processor: options,
        // Runs right after the span started: every LLM attribute is written when the call completes, none before.
        instrumentation: { requestHook: span => atStart.push({ ...(span as unknown as { attributes: Attributes }).attributes }) },
      });
      suite.server.respondWith({ events: chatStreamEvents({ model: 'm', reasoning: ['hm'], content: ['Paris'], includeUsage: true, promptTokens: 9 }), delayMs: 1 });
      const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'Capital of France?' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of stream);
      const [span] = await tracing.waitForSpans(1);
      return { atStart: atStart[0], atEnd: span.attributes };
    }

    const TRACEAI = /^(llm|input|output|embedding|reranker)\./;

    it("'both' (default) writes both families, with the gen_ai content only when opted in", async () => {
      const { atStart, atEnd } = await streamedChat({ genAiContent: true });
      expect(atStart).not.to.have.any.keys('fi.span.kind', 'llm.system', 'gen_ai.operation.name');
      expect(atEnd).to.include({ 'fi.span.kind': 'LLM', 'llm.system': 'vllm', 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'vllm' });
      expect(atEnd).to.include({ 'llm.model': 'm', 'gen_ai.request.model': 'm', 'gen_ai.request.stream': true, 'gen_ai.usage.input_tokens': 9 });
      expect(atEnd['gen_ai.response.time_to_first_chunk']).to.be.a('number');
      expect(JSON.parse(atEnd['gen_ai.input.messages'] as string)).to.deep.equal([{ role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] }]);
      expect(JSON.parse(atEnd['gen_ai.output.messages'] as string)).to.deep.equal([
        { role: 'assistant', parts: [{ type: 'reasoning', content: 'hm' }, { type: 'text', content: 'Paris' }], finish_reason: 'stop' },
      ]);
      expect(JSON.parse(atEnd['gen_ai.tool.definitions'] as string)).to.deep.equal([{ type: 'function', name: 'lookup', parameters: { type: 'object' } }]);
    });

    it('writes the gen_ai content by default (issue 19: Datadog, New Relic, SigNoz read only it) and leaves it out with genAiContent: false, the traceAI messages in', async () => {
      const { atEnd: withContent } = await streamedChat({});
      expect(withContent).to.include.all.keys('gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.tool.definitions');
      const { atEnd: withoutContent } = await streamedChat({ genAiContent: false });
      expect(withoutContent).not.to.have.any.keys('gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.tool.definitions');
      expect(withoutContent).to.have.property('llm.input_messages.0.content', 'Capital of France?');
    });

    /** The finish reasons of `gen_ai.output.messages` on the span of one streamed chat that `consume` reads. */
    async function cutStreamFinishReasons(events: string[], consume: (stream: AsyncIterable<unknown>) => Promise<void>, resetAfter?: number): Promise<unknown[]> {
      const tracing = suite.trace({ processor: {} });
      suite.server.respondWith({ events, delayMs: 5, ...(resetAfter === undefined ? {} : { resetAfter }) });
      const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Tell a story' }], stream: true });
      await consume(stream).catch(() => undefined);
      const [span] = await tracing.waitForSpans(1);
      return (JSON.parse(span.attributes['gen_ai.output.messages'] as string) as Array<{ finish_reason?: unknown }>).map(message => message.finish_reason);
    }
    const readAll = async (stream: AsyncIterable<unknown>): Promise<void> => {
      for await (const _chunk of stream);
    };
    const story = (): string[] => chatStreamEvents({ model: 'm', content: ['Once', ' upon', ' a time'], done: false });

    it('ends the output message of a stream cut by an error event with finish_reason "error" (its schema requires one)', async () => {
      const events = story();
      // The opening chunk and two tokens, then the error event where the finishing chunk would be.
      expect(await cutStreamFinishReasons([...events.slice(0, 3), streamErrorEvent('engine died', 'InternalServerError', 500), DONE_EVENT], readAll)).to.deep.equal(['error']);
    });

    it('ends the output message of a stream cut by a connection reset or a client abort with finish_reason "error"', async () => {
      expect(await cutStreamFinishReasons(story(), readAll, 3)).to.deep.equal(['error']);
      const abortAfterTwo = async (stream: AsyncIterable<unknown>): Promise<void> => {
        let seen = 0;
        for await (const _chunk of stream) if (++seen === 2) break;
      };
      expect(await cutStreamFinishReasons(story(), abortAfterTwo)).to.deep.equal(['error']);
      // A stream that finished keeps its own reason.
      expect(await cutStreamFinishReasons([...story(), DONE_EVENT], readAll)).to.deep.equal(['stop']);
    });

    it('sets gen_ai.output.type from the Responses text.format and the chat response_format, never the schema', async () => {
      const tracing = suite.trace({ processor: {} });
      const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
      const schema = { type: 'object', properties: { city: { type: 'string' } } };
      for (const format of [{ type: 'json_schema', name: 'city', schema }, { type: 'json_object' }, { type: 'text' }] as const) {
        suite.server.respondWith({ json: responsesResponse({ model: 'm' }) });
        await client.responses.create({ model: 'm', input: 'Capital of France?', text: { format } as never });
      }
      suite.server.respondWith({ events: chatStreamEvents({ model: 'm', content: ['{}'] }) });
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, response_format: { type: 'json_schema', json_schema: { name: 'city', schema } } });
      await readAll(stream);
      const spans = await tracing.waitForSpans(4);
      expect(spans.map(span => span.attributes['gen_ai.output.type'])).to.deep.equal(['json', 'json', 'text', 'json']);
      for (const span of spans) expect(Object.keys(span.attributes).filter(key => key.startsWith('gen_ai.request.') && JSON.stringify(span.attributes[key]).includes('properties'))).to.deep.equal([]);
    });

    it("'traceai' writes no gen_ai.* key; fi.span.kind stays", async () => {
      const { atStart, atEnd } = await streamedChat({ semconv: 'traceai', genAiContent: true });
      expect(genAiKeys(atEnd)).to.deep.equal([]);
      expect(atEnd['fi.span.kind']).to.equal('LLM');
      expect(atStart).not.to.have.property('fi.span.kind');
      expect(atEnd).to.include({ 'llm.model': 'm', 'llm.token_count.prompt': 9, 'llm.output_messages.0.content': 'Paris' });
    });

    it("'gen_ai' writes no llm.*, input.*, output.* key; fi.span.kind and server.* stay", async () => {
      const { atStart, atEnd } = await streamedChat({ semconv: 'gen_ai', genAiContent: true });
      expect(Object.keys(atEnd).filter(key => TRACEAI.test(key))).to.deep.equal([]);
      expect(atEnd['fi.span.kind']).to.equal('LLM');
      expect(atStart).not.to.have.property('fi.span.kind');
      expect(atEnd).to.include({ 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 9, 'server.address': '127.0.0.1' });
      expect(atEnd['gen_ai.output.messages']).to.be.a('string');
    });
  });
});
