import { expect } from 'chai';
import fc from 'fast-check';
import { SpanStatusCode, type SpanStatus } from '@opentelemetry/api';
import { maskStatus } from '../../src/privacy/masking';
import { requestTexts } from '../../src/privacy/request-texts';
import { SHARED_RUN_LENGTH, sharedRanges } from '../../src/privacy/shared-substrings';
import { REDACTED_VALUE, resolveTraceConfig, type HideSwitch, type ResolvedTraceConfig } from '../../src/privacy/trace-config';

const config = (switches: Partial<Record<HideSwitch, boolean>>): ResolvedTraceConfig => resolveTraceConfig(switches, {});
const error = (message: string): SpanStatus => ({ code: SpanStatusCode.ERROR, message });
const masked = (message: string, request: string | Buffer | undefined, switches: Partial<Record<HideSwitch, boolean>> = { hideInputText: true }): string =>
  maskStatus(error(message), config(switches), request).message!;

const PROMPT = 'My card number is 4111 1111 1111 1111, please remember it';
const IMAGE = 'https://img.example/private/holiday-photo.png';
const chatRequest = (prompt = PROMPT, image = IMAGE): string =>
  JSON.stringify({ model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: [{ type: 'text', text: prompt }, { type: 'image_url', image_url: { url: image } }] }] });

// vLLM errors that repeat nothing of the request: each must keep every character.
const PLAIN_ERRORS = [
  "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
  'The model `Qwen/Qwen3-8B` does not exist.',
  "[{'type': 'missing', 'loc': ('body', 'model'), 'msg': 'Field required'}]",
  'Unauthorized',
  "1 validation error for ChatCompletionRequest\ntemperature\n  Input should be less than or equal to 2",
  "'auto' tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set",
];

/** Python's repr escapes of a single-quoted string, as vLLM's f-strings with !r write them. */
const pythonQuoted = (text: string): string => `'${text.replace(/[\\'\n\r\t]/g, char => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' })[char]!)}'`;

describe('error descriptions that repeat the request (maskStatus)', () => {
  describe('with the request body', () => {
    const request = chatRequest();
    const forms: Array<[string, string]> = [
      ['vLLM content error', `Invalid content: '${PROMPT}'`],
      ['an image URL in single quotes', `Failed to load image: url='${IMAGE}'`],
      ['an image URL in double quotes', `Cannot fetch url="${IMAGE}" (404)`],
      ['an unquoted image URL', `Error fetching ${IMAGE}: timeout`],
      ["pydantic's 'input':", `[{'type': 'string_too_long', 'loc': ('body',), 'msg': 'too long', 'input': '${PROMPT}'}]`],
      ["pydantic's input_value=", `1 validation error\ncontent\n  Input should be a valid list [type=list_type, input_value='${PROMPT}', input_type=str]`],
      ['the prompt unquoted', `The prompt ${PROMPT} could not be tokenized`],
      ['the prompt in double quotes', `Prompt "${PROMPT}" was rejected`],
      ['a 30-character part of the prompt', `Rejected near: ${PROMPT.slice(10, 40)} (position 10)`],
      ['a part of the prompt cut by the message', `Invalid content: '${PROMPT.slice(0, 12)}...'`],
      ['a labelled quote the message cut', `Invalid content: '${PROMPT.slice(0, 30)}`],
    ];
    for (const [form, message] of forms) {
      it(`hides ${form}`, () => {
        const result = masked(message, request);
        expect(result).not.to.contain(PROMPT.slice(0, 12));
        expect(result).not.to.contain('holiday-photo');
        expect(result).to.contain(REDACTED_VALUE);
      });
    }

    it('keeps the words around what it hides', () => {
      expect(masked(`Invalid content: '${PROMPT}'`, request)).to.equal(`Invalid content: '${REDACTED_VALUE}'`);
      expect(masked(`The prompt ${PROMPT} could not be tokenized`, request)).to.equal(`The prompt ${REDACTED_VALUE} could not be tokenized`);
    });

    it('hides the prompt as JSON or Python escaped it (newlines, quotes, non-ASCII)', () => {
      const prompt = "line one\nit's \"quoted\" and café — twenty more characters";
      const body = chatRequest(prompt);
      for (const message of [`Invalid content: ${pythonQuoted(prompt)}`, `body: ${JSON.stringify({ content: prompt })}`, `raw: ${JSON.stringify(prompt).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`]) {
        const result = masked(message, body);
        for (const piece of ['line one', "it's", 'quoted', 'caf', 'twenty more']) expect(result, message).not.to.contain(piece);
      }
    });

    it('keeps every error that repeats nothing of the request, under every input switch', () => {
      for (const message of PLAIN_ERRORS) {
        for (const name of ['hideInputs', 'hideInputMessages', 'hideInputText', 'hideInputImages'] as const) {
          expect(masked(message, request, { [name]: true }), `${name}: ${message}`).to.equal(message);
        }
      }
    });

    it('keeps names and settings the request holds (model, role, type)', () => {
      expect(masked('The model `Qwen/Qwen3-8B` does not exist.', request)).to.equal('The model `Qwen/Qwen3-8B` does not exist.');
      expect(masked("Invalid role 'user' for this template", request)).to.equal("Invalid role 'user' for this template");
    });

    it('hides only image URLs under hideInputImages alone, and nothing without an input switch', () => {
      const message = `Invalid content: '${PROMPT}', image url='${IMAGE}'`;
      expect(masked(message, request, { hideInputImages: true })).to.equal(`Invalid content: '${PROMPT}', image url='${REDACTED_VALUE}'`);
      expect(masked(message, request, { hideOutputs: true, hideOutputText: true, hideEmbeddingVectors: true })).to.equal(message);
    });

    it('reads a request body cut by the capture cap, and one given as bytes', () => {
      const whole = chatRequest(PROMPT + ' and then a long tail that the cap cuts off'.repeat(3));
      const cut = whole.slice(0, whole.indexOf(PROMPT) + PROMPT.length + 10);
      expect(() => JSON.parse(cut)).to.throw();
      expect(requestTexts(cut, 'all')).to.deep.equal([`${PROMPT} and then `]);
      expect(masked(`The prompt ${PROMPT}; it is invalid`, cut)).to.equal(`The prompt ${REDACTED_VALUE}; it is invalid`);
      expect(masked(`The prompt ${PROMPT} is invalid`, Buffer.from(chatRequest()))).to.equal(`The prompt ${REDACTED_VALUE} is invalid`);
    });

    it('finds the request strings of every endpoint', () => {
      const bodies = [
        { model: 'm', prompt: ['alpha prompt'] },
        { model: 'm', input: 'beta embedding input' },
        { model: 'm', query: 'gamma query', documents: ['delta document', { text: 'epsilon document' }] },
        { model: 'm', text_1: 'zeta left', text_2: ['eta right'] },
        { model: 'm', instructions: 'theta instructions', input: [{ role: 'user', content: [{ type: 'input_text', text: 'iota text' }] }], user: 'kappa user' },
        { model: 'm', messages: [], tools: [{ type: 'function', function: { name: 'lookup', description: 'lambda description' } }] },
      ];
      const texts = bodies.flatMap(body => requestTexts(JSON.stringify(body), 'all')!);
      for (const text of ['alpha prompt', 'beta embedding input', 'gamma query', 'delta document', 'epsilon document', 'zeta left', 'eta right', 'theta instructions', 'iota text', 'kappa user', 'lambda description', 'lookup']) {
        expect(texts).to.include(text);
      }
      expect(texts).not.to.include('m');
      expect(texts).not.to.include('function');
    });
  });

  describe('without a readable request body', () => {
    it('hides every quoted span and URL under input switches, and keeps a description without either', () => {
      expect(masked(`Invalid content: '${PROMPT}'`, undefined)).to.equal(`Invalid content: '${REDACTED_VALUE}'`);
      expect(masked(`Unsupported value "${PROMPT}"`, undefined)).to.equal(`Unsupported value "${REDACTED_VALUE}"`);
      expect(masked(`Error fetching ${IMAGE}: timeout`, undefined)).to.equal(`Error fetching ${REDACTED_VALUE}: timeout`);
      // gzip bytes hold no JSON string: the request is as unknown as a missing one.
      expect(masked(`Unsupported value "${PROMPT}"`, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))).to.equal(`Unsupported value "${REDACTED_VALUE}"`);
      expect(masked(PLAIN_ERRORS[0], undefined)).to.equal(PLAIN_ERRORS[0]);
    });

    it('hides the whole of a pydantic error that repeats the input, as before', () => {
      expect(masked("[{'type': 'missing', 'loc': ('body', 'model'), 'msg': 'Field required', 'input': {'messages': []}}]", undefined)).to.equal(REDACTED_VALUE);
    });
  });

  describe('property: a random prompt repeated in any vLLM form never survives; an error without it is kept', () => {
    const secret = fc
      .oneof(fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 60 }), fc.string({ unit: 'grapheme', minLength: 4, maxLength: 40 }))
      .filter(text => text.trim().length >= 4 && !REDACTED_VALUE.includes(text) && !text.includes('\u0000'));
    const forms: ReadonlyArray<(s: string) => string> = [
      s => `Invalid content: ${pythonQuoted(s)}`,
      s => `Failed to load image from url=${pythonQuoted(s)}`,
      s => `[{'type': 'string_type', 'loc': ('body', 'messages', 0, 'content'), 'msg': 'Input should be a valid string', 'input': ${pythonQuoted(s)}}]`,
      s => `The prompt ${JSON.stringify(s)} could not be processed`,
      s => `Cannot tokenize ${s} right now`,
      s => `Error: ${s}`,
    ];
    const templateWords = forms.map(form => form(''));

    it('hides the prompt (text or image URL) in every form under every input switch', () => {
      fc.assert(
        fc.property(secret, fc.nat({ max: forms.length - 1 }), fc.constantFrom('hideInputs', 'hideInputMessages', 'hideInputText'), fc.boolean(), (text, form, name, asImage) => {
          fc.pre(!templateWords.some(words => words.includes(text)));
          const body = asImage ? chatRequest('hello there', text) : chatRequest(text);
          const result = masked(forms[form](text), body, { [name]: true });
          expect(result).not.to.contain(text);
          expect(result).not.to.contain(pythonQuoted(text).slice(1, -1));
          expect(result).not.to.contain(JSON.stringify(text).slice(1, -1));
        }),
        { numRuns: 300 },
      );
    });

    it('hides every 19-character run of a long prompt that a description repeats', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 40, maxLength: 200 }), fc.nat(), (text, offset) => {
          const start = offset % (text.length - SHARED_RUN_LENGTH);
          const part = text.slice(start, start + SHARED_RUN_LENGTH);
          fc.pre(!REDACTED_VALUE.includes(part));
          expect(masked(`Rejected near ${part}!`, chatRequest(text))).not.to.contain(part);
        }),
        { numRuns: 300 },
      );
    });

    it('keeps an error that repeats nothing of a random request', () => {
      fc.assert(
        fc.property(secret, fc.constantFrom(...PLAIN_ERRORS), (text, message) => {
          // A quoted span of 4+ characters that is part of a request string is hidden too (for example 'type' when the prompt is "type  ").
          const quotesPartOfText = [...message.matchAll(/'([^']{4,})'/g)].some(([, quoted]) => text.includes(quoted));
          fc.pre(sharedRanges(message, [text]).length === 0 && !message.includes(text) && !quotesPartOfText);
          expect(masked(message, chatRequest(text))).to.equal(message);
        }),
        { numRuns: 200 },
      );
    });

    it('never throws, whatever the description and the request bytes', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (message, bytes) => {
          expect(() => maskStatus(error(message), config({ hideInputs: true }), bytes)).not.to.throw();
        }),
        { numRuns: 300 },
      );
    });
  });
});
