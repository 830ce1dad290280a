import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { classifyAttribute, describeKey } from '../../src/privacy/attribute-classes';
import { applyAttributePolicy, AttributePolicyWriter, resolveAttributePolicy, TRUNCATION_MARK, type AttributePolicy } from '../../src/privacy/attribute-policy';
import { PrioritizedAttributes } from '../../src/rewrite/span-writer';
import { interpretExchange } from '../../src/interpret/interpret';
import { mapAttributes, maskAttribute, maskStatus } from '../../src/privacy/masking';
import { resolveOptions } from '../../src/options';
import { REDACTED_VALUE, resolveTraceConfig, type HideSwitch, type ResolvedTraceConfig } from '../../src/privacy/trace-config';
import { SchemaValidator } from '../../src/interpret/validation';
import { EXCHANGES, goldenScenarios, loadExchange, loadMeta } from '../support/golden';

const NO_ENV = {};

/** The privacy switches alone over a set of attributes (the policy adds the semconv filter and the caps). */
const maskAttributes = (attributes: Attributes, masking: ResolvedTraceConfig): Attributes =>
  mapAttributes(attributes, (key, value) => maskAttribute(value, describeKey(key), masking));
const config = (switches: Partial<Record<HideSwitch, boolean>> = {}, base64ImageMaxLength?: number): ResolvedTraceConfig =>
  resolveTraceConfig({ ...switches, base64ImageMaxLength }, NO_ENV);

/** Every rewrite the golden exchanges produce, with the opt-in gen_ai content on. */
function goldenRewrites(): Array<{ scenario: string; attributes: Attributes }> {
  const validator = new SchemaValidator();
  return goldenScenarios().map(scenario => {
    const folder = path.join(EXCHANGES, scenario);
    const options = resolveOptions({ ...loadMeta(folder).options, genAiContent: true });
    const rewrite = interpretExchange(loadExchange(folder), { validator, options }, () => undefined);
    return { scenario, attributes: rewrite.attributes };
  });
}

describe('masking', () => {
  describe('key classification', () => {
    it('classifies every attribute key that any golden exchange emits, as content or metadata', () => {
      // A new mapper's key that is not classified fails here, before it can leak.
      const unclassified = new Set<string>();
      for (const scenario of goldenScenarios()) {
        const expected = JSON.parse(fs.readFileSync(path.join(EXCHANGES, scenario, 'expected.json'), 'utf8'));
        for (const key of Object.keys(expected.attributes ?? {})) if (classifyAttribute(key) === undefined) unclassified.add(`${scenario}: ${key}`);
      }
      for (const { scenario, attributes } of goldenRewrites()) {
        for (const key of Object.keys(attributes)) if (classifyAttribute(key) === undefined) unclassified.add(`${scenario}: ${key}`);
      }
      expect([...unclassified]).to.deep.equal([]);
    });

    it('treats a key that no rule knows as content hidden by any text switch', () => {
      const attributes = { 'llm.future_field': 'secret', 'llm.token_count.prompt': 3 };
      expect(maskAttributes(attributes, config())).to.deep.equal(attributes);
      expect(maskAttributes(attributes, config({ hideOutputText: true }))).to.deep.equal({ 'llm.future_field': REDACTED_VALUE, 'llm.token_count.prompt': 3 });
    });

    it('leaves no text of any golden exchange behind with hideInputs and hideOutputs, and keeps counts and models', () => {
      const hideAll = config({ hideInputs: true, hideOutputs: true });
      for (const { scenario, attributes } of goldenRewrites()) {
        const metadataValues = new Set<unknown>();
        const texts: string[] = [];
        for (const [key, value] of Object.entries(attributes)) {
          const attributeClass = classifyAttribute(key);
          if (attributeClass?.kind === 'metadata') metadataValues.add(value);
          else if (attributeClass?.kind === 'content' && attributeClass.shape === 'text' && typeof value === 'string' && value.length >= 8) texts.push(value);
        }
        const masked = maskAttributes(attributes, hideAll);
        const serialised = JSON.stringify(masked);
        for (const text of texts.filter(t => !metadataValues.has(t))) expect(serialised, `${scenario} leaks ${JSON.stringify(text)}`).not.to.contain(JSON.stringify(text).slice(1, -1));
        for (const [key, value] of Object.entries(attributes)) {
          if (classifyAttribute(key)?.kind === 'metadata') expect(masked[key], `${scenario} ${key}`).to.deep.equal(value);
        }
      }
    });
  });

  describe('messages and values', () => {
    const chat: Attributes = {
      'input.value': '{"messages":[{"role":"user","content":"hi there"}]}',
      'llm.input_messages.0.role': 'user',
      'llm.input_messages.0.content': 'hi there',
      'llm.input_messages.0.name': 'alice',
      'llm.input_messages.1.tool_calls.0.id': 'call_1',
      'llm.input_messages.1.tool_calls.0.function.name': 'get_weather',
      'llm.input_messages.1.tool_calls.0.function.arguments': '{"city":"Paris"}',
      'llm.input_messages.2.contents.0.type': 'image_url',
      'llm.input_messages.2.contents.0.image_url': 'https://img.example/cat.png',
      'llm.output_messages.0.content': 'hello',
      'llm.output_messages.0.reasoning': 'think',
      'output.value': '{"choices":[]}',
      'gen_ai.response.finish_reasons': ['stop'],
      'llm.token_count.prompt': 5,
    };

    it('hideInputText hides message text and tool arguments but keeps images, names, roles and ids', () => {
      const masked = maskAttributes(chat, config({ hideInputText: true }));
      expect(masked['llm.input_messages.0.content']).to.equal(REDACTED_VALUE);
      expect(masked['llm.input_messages.1.tool_calls.0.function.arguments']).to.equal(REDACTED_VALUE);
      expect(masked['input.value']).to.equal(REDACTED_VALUE);
      expect(masked['llm.input_messages.2.contents.0.image_url']).to.equal('https://img.example/cat.png');
      expect(masked['llm.input_messages.0.name']).to.equal('alice');
      expect(masked['llm.input_messages.1.tool_calls.0.function.name']).to.equal('get_weather');
      expect(masked['llm.output_messages.0.content']).to.equal('hello');
    });

    it('hideInputMessages also hides names and images; hideInputImages only images', () => {
      const messages = maskAttributes(chat, config({ hideInputMessages: true }));
      expect(messages['llm.input_messages.0.name']).to.equal(REDACTED_VALUE);
      expect(messages['llm.input_messages.2.contents.0.image_url']).to.equal(REDACTED_VALUE);
      expect(messages['llm.input_messages.0.role']).to.equal('user');
      const images = maskAttributes(chat, config({ hideInputImages: true }));
      expect(images['llm.input_messages.2.contents.0.image_url']).to.equal(REDACTED_VALUE);
      expect(images['llm.input_messages.0.content']).to.equal('hi there');
    });

    it('hideOutputText hides output text and reasoning, nothing on the input side', () => {
      const masked = maskAttributes(chat, config({ hideOutputText: true }));
      expect(masked['llm.output_messages.0.content']).to.equal(REDACTED_VALUE);
      expect(masked['llm.output_messages.0.reasoning']).to.equal(REDACTED_VALUE);
      expect(masked['output.value']).to.equal(REDACTED_VALUE);
      expect(masked['llm.input_messages.0.content']).to.equal('hi there');
      expect(masked['gen_ai.response.finish_reasons']).to.deep.equal(['stop']);
    });

    it('replaces base64 data URLs longer than base64ImageMaxLength, in message contents and inside input.value', () => {
      const long = `data:image/png;base64,${'A'.repeat(64)}`;
      const short = 'data:image/png;base64,AAAA';
      const attributes = {
        'llm.input_messages.0.contents.0.image_url': long,
        'llm.input_messages.0.contents.1.image_url': short,
        'input.value': JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: long } }, { type: 'text', text: 'keep' }] }] }),
      };
      const masked = maskAttributes(attributes, config({}, 40));
      expect(masked['llm.input_messages.0.contents.0.image_url']).to.equal(REDACTED_VALUE);
      expect(masked['llm.input_messages.0.contents.1.image_url']).to.equal(short);
      const body = JSON.parse(masked['input.value'] as string);
      expect(body.messages[0].content).to.deep.equal([{ type: 'image_url', image_url: { url: REDACTED_VALUE } }, { type: 'text', text: 'keep' }]);
      expect(maskAttributes(attributes, config({}, 1000))).to.deep.equal(attributes);
    });

    it('hides image URLs inside input.value with hideInputImages, keeping the text', () => {
      const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: 'https://img.example/a.png' }] }] };
      const masked = JSON.parse(maskAttributes({ 'input.value': JSON.stringify(body) }, config({ hideInputImages: true }))['input.value'] as string);
      expect(masked.messages[0].content).to.deep.equal([{ type: 'text', text: 'look' }, { type: 'image_url', image_url: REDACTED_VALUE }]);
    });

    it('hides vectors in attributes and inside output.value with hideEmbeddingVectors', () => {
      const attributes = {
        'embedding.embeddings.0.embedding.vector': [0.5, 0.25],
        'embedding.embeddings.0.embedding.text': 'text',
        'output.value': JSON.stringify({ data: [{ index: 0, embedding: [0.5, 0.25] }, { index: 1, embedding: 'AAAA' }], usage: { prompt_tokens: 2 } }),
      };
      const masked = maskAttributes(attributes, config({ hideEmbeddingVectors: true }));
      expect(masked['embedding.embeddings.0.embedding.vector']).to.equal(REDACTED_VALUE);
      expect(masked['embedding.embeddings.0.embedding.text']).to.equal('text');
      expect(JSON.parse(masked['output.value'] as string)).to.deep.equal({
        data: [{ index: 0, embedding: REDACTED_VALUE }, { index: 1, embedding: REDACTED_VALUE }],
        usage: { prompt_tokens: 2 },
      });
    });

    it('hideInputs redacts strings of the invocation parameters except settings, and tool definitions but their names', () => {
      const attributes = {
        'llm.invocation_parameters': JSON.stringify({ temperature: 0.2, stream: true, tool_choice: 'auto', user: 'alice@example.com', documents: [{ title: 'secret' }] }),
        'llm.tools': JSON.stringify([{ type: 'function', function: { name: 'get_weather', description: 'secret', parameters: { type: 'object' } } }]),
      };
      const masked = maskAttributes(attributes, config({ hideInputs: true }));
      expect(JSON.parse(masked['llm.invocation_parameters'] as string)).to.deep.equal({
        temperature: 0.2,
        stream: true,
        tool_choice: 'auto',
        user: REDACTED_VALUE,
        documents: [{ title: REDACTED_VALUE }],
      });
      expect(JSON.parse(masked['llm.tools'] as string)).to.deep.equal([
        { type: 'function', function: { name: 'get_weather', description: REDACTED_VALUE, parameters: REDACTED_VALUE } },
      ]);
      expect(maskAttributes(attributes, config({ hideInputText: true }))).to.deep.equal(attributes);
    });

    it('hides a JSON content value that does not parse whole', () => {
      expect(maskAttributes({ 'llm.tools': '[{"type":' }, config({ hideInputs: true }))).to.deep.equal({ 'llm.tools': REDACTED_VALUE });
    });
  });

  describe('gen_ai JSON content', () => {
    const input = [
      { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
      {
        role: 'user',
        name: 'alice',
        parts: [
          { type: 'text', content: 'what is this?' },
          { type: 'uri', modality: 'image', uri: 'https://img.example/a.png' },
          { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'QUJD' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { q: 'cats' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'a cat' }] },
    ];
    const masked = (switches: Partial<Record<HideSwitch, boolean>>, max?: number) =>
      JSON.parse(maskAttributes({ 'gen_ai.input.messages': JSON.stringify(input) }, config(switches, max))['gen_ai.input.messages'] as string);

    it('hideInputText redacts text, arguments and responses inside the structure, keeping roles, types, names and ids', () => {
      expect(masked({ hideInputText: true })).to.deep.equal([
        { role: 'system', parts: [{ type: 'text', content: REDACTED_VALUE }] },
        {
          role: 'user',
          name: 'alice',
          parts: [{ type: 'text', content: REDACTED_VALUE }, input[1].parts[1], input[1].parts[2]],
        },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: REDACTED_VALUE }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: REDACTED_VALUE }] },
      ]);
    });

    it('hideInputImages redacts image uris and blobs only; hideInputMessages everything but the structure', () => {
      const images = masked({ hideInputImages: true });
      expect(images[1].parts).to.deep.equal([
        input[1].parts[0],
        { type: 'uri', modality: 'image', uri: REDACTED_VALUE },
        { type: 'blob', modality: 'image', mime_type: 'image/png', content: REDACTED_VALUE },
      ]);
      const all = JSON.stringify(masked({ hideInputMessages: true }));
      for (const secret of ['be brief', 'alice', 'what is this', 'img.example', 'QUJD', 'cats', 'a cat']) expect(all).not.to.contain(secret);
      expect(all).to.contain('"lookup"').and.to.contain('"tool_call_response"');
    });

    it('replaces image blobs longer than base64ImageMaxLength with nothing hidden', () => {
      expect(masked({}, 3)[1].parts[2].content).to.equal(REDACTED_VALUE);
      expect(masked({}, 4)[1].parts[2].content).to.equal('QUJD');
    });

    it('hideOutputText redacts output text and reasoning, keeping the finish reason', () => {
      const output = [{ role: 'assistant', parts: [{ type: 'reasoning', content: 'hmm' }, { type: 'text', content: 'yes' }], finish_reason: 'stop' }];
      const result = maskAttributes({ 'gen_ai.output.messages': JSON.stringify(output) }, config({ hideOutputText: true }));
      expect(JSON.parse(result['gen_ai.output.messages'] as string)).to.deep.equal([
        { role: 'assistant', parts: [{ type: 'reasoning', content: REDACTED_VALUE }, { type: 'text', content: REDACTED_VALUE }], finish_reason: 'stop' },
      ]);
    });
  });

  describe('span status', () => {
    const echo = { code: 2, message: "[{'type': 'missing', 'loc': ('body', 'model'), 'msg': 'Field required', 'input': {'messages': []}}]" };

    it('hides a description that repeats the request when input switches are on', () => {
      expect(maskStatus(echo, config({ hideInputText: true })).message).to.equal(REDACTED_VALUE);
      expect(maskStatus(echo, config({ hideOutputs: true })).message).to.equal(echo.message);
      const plain = { code: 2, message: "This model's maximum context length is 4096 tokens." };
      expect(maskStatus(plain, config({ hideInputs: true }))).to.deep.equal(plain);
    });
  });

  describe('attribute policy', () => {
    const policy = (options: Parameters<typeof resolveAttributePolicy>[0]): AttributePolicy => resolveAttributePolicy(options, NO_ENV);
    const attributes: Attributes = {
      'fi.span.kind': 'LLM',
      'llm.model': 'm',
      'input.value': 'x'.repeat(100),
      'gen_ai.request.model': 'm',
      'gen_ai.input.messages': '[]',
      'error.type': 'BadRequestError',
      'vllm.stop_reason': [''],
    };

    it('drops the gen_ai content when genAiContent is off', () => {
      expect(applyAttributePolicy(attributes, policy({ genAiContent: false }))).not.to.have.property('gen_ai.input.messages');
      expect(applyAttributePolicy(attributes, policy({ genAiContent: true }))).to.have.property('gen_ai.input.messages', '[]');
    });

    it("keeps one family for semconv 'traceai' / 'gen_ai', and fi.span.kind, error.type and vllm.* with both", () => {
      expect(Object.keys(applyAttributePolicy(attributes, policy({ semconv: 'traceai' })))).to.deep.equal(['fi.span.kind', 'llm.model', 'input.value', 'error.type', 'vllm.stop_reason']);
      expect(Object.keys(applyAttributePolicy(attributes, policy({ semconv: 'gen_ai', genAiContent: true })))).to.deep.equal([
        'fi.span.kind',
        'gen_ai.request.model',
        'gen_ai.input.messages',
        'error.type',
        'vllm.stop_reason',
      ]);
    });

    it('caps input.value and output.value at maxValueLength, marking the cut', () => {
      const capped = applyAttributePolicy(attributes, policy({ maxValueLength: 40 }))['input.value'] as string;
      expect(capped).to.have.length(40);
      expect(capped.endsWith(TRUNCATION_MARK)).to.equal(true);
      expect(applyAttributePolicy(attributes, policy({}))['input.value']).to.have.length(100);
      // 21 - 12 = 9 code units would end inside the fifth emoji: the cut goes before it.
      const emoji = applyAttributePolicy({ 'output.value': '😀'.repeat(30) }, policy({ maxValueLength: 21 }))['output.value'] as string;
      expect(emoji).to.equal('😀'.repeat(4) + TRUNCATION_MARK);
    });

    it('never changes the object it is given, and passes an untouched one through without a copy', () => {
      // Random sets of real keys (content and metadata, both families, some values undefined) under
      // random switches: the result is what masking each entry alone gives, in the same order.
      const keys = ['fi.span.kind', 'llm.model', 'input.value', 'output.value', 'llm.input_messages.0.message.content', 'llm.output_messages.0.message.role',
        'llm.invocation_parameters', 'gen_ai.request.model', 'gen_ai.input.messages', 'gen_ai.usage.input_tokens', 'llm.future_field', 'vllm.stop_reason',
        'llm.input_messages.0.message.contents.0.message_content.image.image.url'];
      const value = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 8 }), fc.nat(), fc.constant('data:image/png;base64,' + 'A'.repeat(40)), fc.constant('{"image_url":1}'));
      const switches = fc.record({ hideInputs: fc.boolean(), hideOutputText: fc.boolean(), hideInputImages: fc.boolean() }, { requiredKeys: [] });
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...keys), value), switches, fc.constantFrom('both', 'traceai', 'gen_ai'), fc.boolean(), fc.constantFrom(8, 1000),
          (given, hide, semconv, genAiContent, maxValueLength) => {
            const options = policy({ semconv: semconv as 'both', genAiContent, maxValueLength, traceConfig: { ...hide, base64ImageMaxLength: 16 } });
            const before = { ...given };
            const result = applyAttributePolicy(given, options);
            expect(given).to.deep.equal(before);
            const entryByEntry = Object.assign({}, ...Object.entries(given).map(([key, entry]) => applyAttributePolicy({ [key]: entry }, options)));
            expect(result).to.deep.equal(entryByEntry);
            expect(Object.keys(result)).to.deep.equal(Object.keys(entryByEntry));
            if (Object.keys(entryByEntry).length === Object.keys(given).length && Object.entries(given).every(([key, entry]) => entryByEntry[key] === entry)) {
              expect(result).to.equal(given);
            }
          }),
        { numRuns: 300 },
      );
    });

    it('writes into a span exactly the entries applyAttributePolicy returns, also once it has remembered each key', () => {
      const keys = ['fi.span.kind', 'input.value', 'output.value', 'llm.input_messages.0.message.content', 'llm.invocation_parameters', 'llm.tools',
        'gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.usage.input_tokens', 'llm.future_field', 'gen_ai.future_field', 'embedding.embeddings.0.embedding.vector',
        'llm.input_messages.0.message.contents.0.message_content.image.image.url'];
      const value = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 8 }), fc.nat(), fc.constant('data:image/png;base64,' + 'A'.repeat(40)),
        fc.constant('{"image_url":1,"input":"x","data":[{"embedding":[1]}]}'), fc.constant('[{"role":"user","parts":[{"type":"text","content":"x"}]}]'));
      const switchNames: HideSwitch[] = ['hideInputs', 'hideOutputs', 'hideInputMessages', 'hideOutputMessages', 'hideInputText', 'hideOutputText', 'hideInputImages', 'hideEmbeddingVectors'];
      const switches = fc.record(Object.fromEntries(switchNames.map(name => [name, fc.boolean()])), { requiredKeys: [] });
      fc.assert(
        fc.property(fc.array(fc.dictionary(fc.constantFrom(...keys), value), { minLength: 1, maxLength: 3 }), switches, fc.constantFrom('both', 'traceai', 'gen_ai'),
          fc.boolean(), fc.constantFrom(8, 1000),
          (spans, hide, semconv, genAiContent, maxValueLength) => {
            const options = policy({ semconv: semconv as 'both', genAiContent, maxValueLength, traceConfig: { ...hide, base64ImageMaxLength: 16 } });
            const writer = new AttributePolicyWriter(options);
            // The same writer for every span: later spans meet keys whose verdict it already holds.
            for (const given of spans) {
              const written: Attributes = {};
              const prioritized = new PrioritizedAttributes();
              writer.collect(given, prioritized);
              prioritized.writeTo({ attributes: written, setAttribute: (key: string, entry: AttributeValue) => (written[key] = entry) } as never, Infinity);
              // The same entries; their order is the write priority's (test/rewrite/attribute-limits.test.ts).
              expect(written).to.deep.equal({ ...applyAttributePolicy(given, options) });
            }
          }),
        { numRuns: 300 },
      );
    });

    it('rejects options of the wrong type', () => {
      expect(() => policy({ semconv: 'otel' as never })).to.throw(TypeError, /semconv/);
      expect(() => policy({ maxValueLength: 0 })).to.throw(TypeError, /maxValueLength/);
      expect(() => policy({ genAiContent: 'yes' as never })).to.throw(TypeError, /genAiContent/);
      expect(policy({ maxValueLength: Infinity }).maxValueLength).to.equal(Infinity);
    });
  });
});
