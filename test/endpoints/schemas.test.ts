import { expect } from 'chai';
import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { SCHEMAS } from '../../src/interpret/schema-registry';
import { SchemaValidator, type SchemaId } from '../../src/interpret/validation';
import { ROOT, TEST_DIR } from '../support/paths';

const SCHEMA_DIR = path.join(ROOT, 'schemas');
const FIXTURE_DIR = path.join(TEST_DIR, 'fixtures/schemas');
// Third-party bodies from real vLLM servers, with their sources in the folder's README.
const REAL_DIR = path.join(TEST_DIR, 'fixtures/real-vllm');

const SCHEMA_IDS = Object.keys(SCHEMAS).sort() as SchemaId[];

/** JSON files of one fixture folder, or [] when the folder is missing. */
function jsonFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The JSON payloads of an SSE body's `data:` events, `[DONE]` excluded. */
function sseDataEvents(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data !== '' && data !== '[DONE]') out.push(data);
  }
  return out;
}

// First match wins; a real body whose name matches nothing fails the test so that
// new files there get a rule instead of being silently ignored.
const REAL_FILE_RULES: ReadonlyArray<[RegExp, SchemaId]> = [
  [/error.*flat/, 'error-flat'],
  [/error/, 'error-nested'],
  [/responses.*\.sse$/, 'responses-stream-event'],
  [/chat.*\.sse$/, 'chat-completion-chunk'],
  [/completions?.*\.sse$/, 'completion-chunk'],
  [/responses/, 'responses-response'],
  [/chat_completion/, 'chat-completion-response'],
  [/completions?_/, 'completion-response'],
  [/embeddings?_/, 'embedding-response'],
  [/rerank_response/, 'rerank-response'],
  [/score_response/, 'score-response'],
  [/classify_response/, 'classify-response'],
  [/pooling_response/, 'pooling-response'],
];

function schemaForRealFile(name: string): SchemaId | undefined {
  return REAL_FILE_RULES.find(([pattern]) => pattern.test(name))?.[1];
}

/** Every `additionalProperties: false` in a schema, as JSON pointers. */
function closedObjects(node: unknown, pointer = ''): string[] {
  if (node === null || typeof node !== 'object') return [];
  const own = (node as Record<string, unknown>).additionalProperties === false ? [pointer] : [];
  return own.concat(
    ...Object.entries(node as Record<string, unknown>).map(([k, v]) => closedObjects(v, `${pointer}/${k}`)),
  );
}

describe('wire schemas', () => {
  const validator = new SchemaValidator();

  it('registry lists every schema file, each under its own $id', () => {
    const files = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).to.deep.equal(SCHEMA_IDS.map((id) => `${id}.json`).sort());
    for (const id of SCHEMA_IDS) expect(SCHEMAS[id].$id, id).to.equal(`${id}.json`);
  });

  it('compiles under ajv strict mode', () => {
    const ajv = new Ajv({ strict: true });
    for (const id of SCHEMA_IDS) ajv.addSchema(SCHEMAS[id]);
    for (const id of SCHEMA_IDS) expect(() => ajv.getSchema(`${id}.json`), id).to.not.throw();
  });

  it('stays open to new fields (no additionalProperties: false)', () => {
    for (const id of SCHEMA_IDS) expect(closedObjects(SCHEMAS[id]), id).to.deep.equal([]);
  });

  it('has fixture folders only for known schema ids', () => {
    expect(fs.readdirSync(FIXTURE_DIR).sort()).to.deep.equal(SCHEMA_IDS);
  });

  for (const id of SCHEMA_IDS) {
    describe(id, () => {
      const validFiles = jsonFiles(path.join(FIXTURE_DIR, id, 'valid'));
      const invalidFiles = jsonFiles(path.join(FIXTURE_DIR, id, 'invalid'));

      it('has at least one valid and one invalid case', () => {
        expect(validFiles, 'valid/').to.not.be.empty;
        expect(invalidFiles, 'invalid/').to.not.be.empty;
      });

      for (const file of validFiles) {
        it(`accepts valid/${file}`, () => {
          const ok = validator.is(id, readJson(path.join(FIXTURE_DIR, id, 'valid', file)));
          expect(ok, validator.lastErrorText()).to.equal(true);
        });
      }

      for (const file of invalidFiles) {
        it(`rejects invalid/${file}`, () => {
          expect(validator.is(id, readJson(path.join(FIXTURE_DIR, id, 'invalid', file)))).to.equal(false);
        });
      }

      it('accepts an unknown field on every valid object body', () => {
        for (const file of validFiles) {
          const body = readJson(path.join(FIXTURE_DIR, id, 'valid', file));
          if (body === null || typeof body !== 'object' || Array.isArray(body)) continue;
          const ok = validator.is(id, { ...body, x_vllm_future_field: { nested: [1, 'two'] } });
          expect(ok, `${file}: ${validator.lastErrorText()}`).to.equal(true);
        }
      });
    });
  }
});

describe('real vLLM bodies (test/fixtures/real-vllm)', () => {
  it('each body validates against the schema its file name names', () => {
    const validator = new SchemaValidator();
    const failures: string[] = [];
    let checked = 0;
    for (const file of fs.readdirSync(REAL_DIR).sort()) {
      if (!/\.(json|sse)$/.test(file)) continue;
      const id = schemaForRealFile(file);
      if (id === undefined) {
        failures.push(`${file}: no schema rule for this file name`);
        continue;
      }
      const text = fs.readFileSync(path.join(REAL_DIR, file), 'utf8');
      const bodies = file.endsWith('.sse') ? sseDataEvents(text) : [text];
      if (bodies.length === 0) failures.push(`${file}: no data events`);
      bodies.forEach((raw, i) => {
        const body: unknown = JSON.parse(raw);
        // A stream can end in a mid-stream error event instead of a chunk.
        const eventId: SchemaId =
          file.endsWith('.sse') && body !== null && typeof body === 'object' && 'error' in body ? 'error-nested' : id;
        checked++;
        if (!validator.is(eventId, body)) failures.push(`${file}#${i}: ${validator.lastErrorText()}`);
      });
    }
    expect(failures).to.deep.equal([]);
    expect(checked).to.be.greaterThan(0);
  });
});

describe('SchemaValidator', () => {
  it('compiles once: instances share the compiled functions', () => {
    const a = new SchemaValidator();
    const b = new SchemaValidator();
    // Reaches into the private table on purpose: the sharing is the behaviour under test.
    const table = (v: SchemaValidator) => (v as unknown as { validators: Record<SchemaId, unknown> }).validators;
    expect(table(a)).to.equal(table(b));
    for (const id of SCHEMA_IDS) expect(table(a)[id], id).to.be.a('function');
  });

  it('narrows the value to its wire type', () => {
    const v = new SchemaValidator();
    const body: unknown = { choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' } }] };
    if (!v.is('chat-completion-response', body)) expect.fail(v.lastErrorText());
    // Compiles only because `is` narrowed `body`.
    expect(body.choices[0].message.content).to.equal('Hi');
  });

  it('describes the most recent failure with schema id, path and rule', () => {
    const v = new SchemaValidator();
    expect(v.lastErrorText()).to.equal('');
    expect(v.is('chat-completion-request', { messages: [{ content: 'Hi' }] })).to.equal(false);
    expect(v.lastErrorText()).to.equal("chat-completion-request: /messages/0 must have required property 'role'");
    expect(v.is('usage', { total_tokens: 'x' })).to.equal(false);
    expect(v.lastErrorText()).to.match(/^usage: \/total_tokens must be integer/);
  });

  it('points into the deepest anyOf branch rather than at the union', () => {
    const v = new SchemaValidator();
    expect(v.is('chat-message', { role: 'user', content: [{ type: 'text', text: 42 }] })).to.equal(false);
    expect(v.lastErrorText()).to.match(/^chat-message: \/content\/0\/text must be string/);
  });

  it('never throws, even on values JSON.parse cannot produce', () => {
    const v = new SchemaValidator();
    const hostile = Object.defineProperty({}, 'messages', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(v.is('chat-completion-request', hostile)).to.equal(false);
    expect(v.lastErrorText()).to.contain('boom');
    for (const value of [undefined, null, 0, '', [], Symbol('s'), () => 1]) {
      expect(v.is('chat-completion-chunk', value)).to.equal(false);
    }
  });
});
