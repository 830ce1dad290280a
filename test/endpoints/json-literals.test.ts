import { expect } from 'chai';
import fc from 'fast-check';
import { getGenAiInputMessagesAttributes, getGenAiOutputMessagesAttributes } from '../../src/mappers/gen-ai-content';
import { quoteJson, StringLiteralCursor } from '../../src/mappers/json-literals';
import * as A from '../../src/attributes';

/** Python's json.dumps with its defaults: `", "` and `": "` separators, every non-ASCII character escaped. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([key, item]) => `${pythonJson(key)}: ${pythonJson(item)}`).join(', ')}}`;
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

describe('string literals reused from a body (src/mappers/json-literals.ts)', () => {
  it("hands out each member's literal in order, as the body escaped it", () => {
    const text = pythonJson({ messages: [{ role: 'user', content: 'caf\u00e9\n"one"' }, { role: 'user', content: 'two' }] });
    const cursor = new StringLiteralCursor(text, 'content');
    expect(cursor.next('caf\u00e9\n"one"')).to.equal('"caf\\u00e9\\n\\"one\\""');
    expect(cursor.next('two')).to.equal('"two"');
  });

  it('takes a long answer in gen_ai.output.messages from the response body as escaped there; a short one is escaped again', () => {
    for (const content of ['caf\u00e9 '.repeat(60), 'caf\u00e9']) {
      const choices = [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }];
      const json = getGenAiOutputMessagesAttributes(choices, pythonJson({ choices }))[A.GEN_AI_OUTPUT_MESSAGES] as string;
      const literal = content.length > 100 ? pythonJson(content) : JSON.stringify(content);
      expect(json).to.equal(`[{"role":"assistant","parts":[{"type":"text","content":${literal}}],"finish_reason":"stop"}]`);
    }
  });

  it('skips members of another value, keys that only end in the key, and values that are not strings', () => {
    const text = JSON.stringify({ reasoning_content: 'hello', logprobs: { content: [{ token: 'hello' }] }, a: { content: 'other' }, b: { content: 'hello' } });
    expect(new StringLiteralCursor(text, 'content').next('hello')).to.equal('"hello"');
    expect(new StringLiteralCursor(JSON.stringify({ text: 'say \\"content\\":\\"x\\"' }), 'content').next('x')).to.equal(undefined);
  });

  it('gives up for good once a value is not found, and on a literal cut short', () => {
    const cursor = new StringLiteralCursor(JSON.stringify([{ content: 'a' }, { content: 'b' }]), 'content');
    expect(cursor.next('missing')).to.equal(undefined);
    expect(cursor.next('a')).to.equal(undefined);
    expect(new StringLiteralCursor('{"content":"never closed \\"', 'content').next('never closed "')).to.equal(undefined);
    expect(quoteJson('a\nb', undefined)).to.equal('"a\\nb"');
  });

  it('property: the GenAI message JSON reads the same with and without a source text, whatever the texts and their escaping', () => {
    // Texts from 32 characters are taken from the source; shorter ones are escaped again.
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 256, maxLength: 320 }));
    const messages = fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: text }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(messages, fc.boolean(), (list, python) => {
        const source = python ? pythonJson({ model: 'm', messages: list }) : JSON.stringify({ model: 'm', messages: list });
        const withSource = getGenAiInputMessagesAttributes(list, source)[A.GEN_AI_INPUT_MESSAGES] as string;
        const without = getGenAiInputMessagesAttributes(list)[A.GEN_AI_INPUT_MESSAGES] as string;
        expect(JSON.parse(withSource)).to.deep.equal(JSON.parse(without));
        const choices = list.map((message, index) => ({ index, message: { role: 'assistant', content: message.content }, finish_reason: 'stop' }));
        const response = python ? pythonJson({ choices }) : JSON.stringify({ choices });
        const output = getGenAiOutputMessagesAttributes(choices, response)[A.GEN_AI_OUTPUT_MESSAGES] as string;
        expect(JSON.parse(output)).to.deep.equal(JSON.parse(getGenAiOutputMessagesAttributes(choices)[A.GEN_AI_OUTPUT_MESSAGES] as string));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same JSON as JSON.stringify of the message objects when there is no source', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }], name: 'ann' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '42' },
    ];
    expect(JSON.parse(getGenAiInputMessagesAttributes(messages as never)[A.GEN_AI_INPUT_MESSAGES] as string)).to.deep.equal([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Look' }, { type: 'uri', modality: 'image', uri: 'https://example.com/a.png' }], name: 'ann' },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: { x: 1 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: '42' }] },
    ]);
  });
});
