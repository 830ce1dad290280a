import { expect } from 'chai';
import fc from 'fast-check';
import type { Exchange } from '../../src/interpret/exchange';
import type { EndpointKind } from '../../src/routing';
import { VllmTestServer, type ReceivedRequest } from '../support/vllm-server';
import { captureExchange, comparable, expectValidAttributes, interpret, runs } from './fuzz-support';

/** A valid request of every endpoint, with as many fields as vLLM reads (streamed where it can stream). */
const SEED_REQUESTS: Array<{ endpoint: EndpointKind; path: string; body: Record<string, unknown> }> = [
  {
    endpoint: 'chat',
    path: '/v1/chat/completions',
    body: {
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'call get_weather' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, 'bare'] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      temperature: 0.5,
      top_p: 0.9,
      max_tokens: 8,
      stop: ['END'],
      n: 2,
      seed: 3,
    },
  },
  { endpoint: 'completion', path: '/v1/completions', body: { model: 'm', prompt: ['one', 'two'], max_tokens: 4, temperature: 0, logprobs: 1 } },
  { endpoint: 'embedding', path: '/v1/embeddings', body: { model: 'm', input: ['a', 'b'], encoding_format: 'float', dimensions: 4 } },
  { endpoint: 'responses', path: '/v1/responses', body: { model: 'm', input: [{ role: 'user', content: 'hi' }], instructions: 'Be brief.', max_output_tokens: 6 } },
  { endpoint: 'pooling', path: '/pooling', body: { model: 'm', input: 'pool me' } },
  { endpoint: 'classify', path: '/classify', body: { model: 'm', input: ['good', 'bad'] } },
  { endpoint: 'score', path: '/score', body: { model: 'm', text_1: 'query', text_2: ['doc one', 'doc two'] } },
  { endpoint: 'rerank', path: '/v1/rerank', body: { model: 'm', query: 'query', documents: ['doc one', 'doc two'], top_n: 2 } },
];

const STREAMING: EndpointKind[] = ['chat', 'completion', 'responses'];

/** A valid exchange: request and response bodies as parsed JSON, the response as events when streamed. */
interface Seed {
  endpoint: EndpointKind;
  request: unknown;
  response: unknown;
  /** SSE events: `{event?, data}`; `data` is parsed JSON. */
  events?: Array<{ event?: string; data: unknown }>;
}

/** Raw JSON texts that no schema expects: huge and odd numbers, deep nesting, prototype keys, long strings. */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(value => JSON.stringify(value)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '1e400', '-1e400', '1e308', '-1e308', '5e-324', '123456789012345678901234567890', '9007199254740993', '-0', '0.5', '-1',
      'null', 'true', 'false', '[]', '{}', '""', '"\\ud800"', '"\\u0000"', '[null]', '[1,"a",true,null,{}]',
      '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '[{"__proto__":{"polluted":1}}]',
      '{"__proto__":null}', '{"toString":1,"valueOf":"x","hasOwnProperty":null}',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(100, 6_000, 20_000).map(depth => '['.repeat(depth) + ']'.repeat(depth)) },
  { weight: 1, arbitrary: fc.constantFrom(100, 6_000, 20_000).map(depth => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 100_000).map(length => JSON.stringify('x'.repeat(length))) },
);

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

type Path = Array<string | number>;

/** Every place in a JSON value where a value can be replaced, or a key added (paths to objects, marked by `null` key). */
function placesOf(value: unknown, path: Path = [], places: Array<{ path: Path; addKey: boolean }> = []) {
  places.push({ path, addKey: false });
  if (Array.isArray(value)) value.forEach((item, index) => placesOf(item, [...path, index], places));
  else if (typeof value === 'object' && value !== null) {
    places.push({ path, addKey: true });
    for (const [key, item] of Object.entries(value)) placesOf(item, [...path, key], places);
  }
  return places;
}

const HOLE = '\u0000hole\u0000';

/** The JSON text of `value` with the value at `path` (or a new `key` under it) replaced by raw `hostile` text. */
function mutatedText(value: unknown, place: { path: Path; addKey: boolean }, key: string, hostile: string): string {
  const copy = JSON.parse(JSON.stringify(value));
  if (place.path.length === 0 && !place.addKey) return hostile;
  const parent = place.path.slice(0, place.addKey ? undefined : -1).reduce<any>((node, step) => node[step], copy); // eslint-disable-line @typescript-eslint/no-explicit-any
  // defineProperty: a plain assignment of "__proto__" would set the prototype instead of a key.
  const slot = place.addKey ? key : place.path[place.path.length - 1];
  Object.defineProperty(parent, slot, { value: HOLE, enumerable: true, writable: true, configurable: true });
  return JSON.stringify(copy).replace(JSON.stringify(HOLE), hostile);
}

/** One mutation: where (an index into the places), which key to add, what to put there. */
const mutation = fc.record({ place: fc.nat(), key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 6 })), hostile: hostileJson });

function applyMutations(value: unknown, mutations: Array<{ place: number; key: string; hostile: string }>): string {
  let text = JSON.stringify(value);
  for (const { place, key, hostile } of mutations) {
    // Mutate the previous result: parse it back (a deep value parses; a stringify of it may not, so stop there).
    let current: unknown;
    try {
      current = JSON.parse(text);
      JSON.stringify(current);
    } catch {
      return text;
    }
    const places = placesOf(current);
    text = mutatedText(current, places[place % places.length], key, hostile);
  }
  return text;
}

function sseOf(events: Array<{ event?: string; data: string }>): string {
  return events.map(({ event, data }) => (event === undefined ? '' : `event: ${event}\n`) + `data: ${data}\n\n`).join('');
}

function exchangeOf(endpoint: EndpointKind, request: string, response: string, streamed: boolean, statusCode = 200): Exchange {
  return {
    endpoint,
    requestBody: Buffer.from(request),
    requestTruncated: false,
    statusCode,
    contentType: streamed ? 'text/event-stream; charset=utf-8' : 'application/json',
    responseBody: Buffer.from(response),
    responseTruncated: false,
  };
}

/** The checks every hostile exchange must pass. */
function expectHarmless(exchange: Exchange): void {
  const { rewrite } = interpret(exchange);
  expect(rewrite, 'a known endpoint always gets a rewrite').to.not.equal(undefined);
  expect(rewrite.name).to.be.a('string');
  expectValidAttributes(rewrite.attributes);
  expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').to.equal(undefined);
  expect(([] as unknown as Record<string, unknown>).polluted, 'Array.prototype polluted').to.equal(undefined);
  expect(Object.prototype.toString.call({})).to.equal('[object Object]');
  if (exchange.contentType?.includes('event-stream')) {
    // Folded as it arrives (one chunk per byte run of 64), the same hostile stream gives the same span.
    const { endpoint, requestBody: request, responseBody: response, contentType, statusCode } = exchange;
    const cuts = Array.from({ length: Math.ceil(response.length / 64) }, (_, i) => i * 64);
    const live = interpret(captureExchange({ endpoint, request, response, contentType, statusCode }, { response: cuts })).rewrite;
    expect(comparable(live)).to.deep.equal(comparable(rewrite));
  }
}

describe('hostile bodies through interpretExchange (property)', () => {
  const seeds: Seed[] = [];

  before(async () => {
    // The emulator writes the valid responses; no request is sent.
    const server = await VllmTestServer.start({ reasoningTokens: 1 });
    try {
      for (const { endpoint, path, body } of SEED_REQUESTS) {
        for (const stream of STREAMING.includes(endpoint) ? [false, true] : [false]) {
          const request = stream ? { ...body, stream, ...(endpoint === 'responses' ? {} : { stream_options: { include_usage: true } }) } : body;
          const received: ReceivedRequest = { method: 'POST', path, headers: {}, body: JSON.stringify(request), response: { status: 0, writes: 0, bytes: 0, ended: false } };
          const script = server.emulate(received);
          if (script.events !== undefined) {
            const events = script.events.flatMap(event => parseEvents(event.toString())).filter(event => event.data !== '[DONE]');
            seeds.push({ endpoint, request, response: undefined, events: events.map(event => ({ ...event, data: JSON.parse(event.data) })) });
          } else {
            seeds.push({ endpoint, request, response: script.json });
          }
        }
      }
    } finally {
      await server.close();
    }
    for (const seed of seeds) {
      // The seeds themselves must map: otherwise the properties below would prove little.
      const { rewrite, problems } = interpret(seedExchange(seed, JSON.stringify(seed.request), undefined, 0));
      expect(problems, `${seed.endpoint}${seed.events ? ' stream' : ''}`).to.deep.equal([]);
      expect(Object.keys(rewrite.attributes).length).to.be.greaterThan(8);
    }
  });

  function parseEvents(text: string): Array<{ event?: string; data: string }> {
    const event = /^event: (.*)$/m.exec(text)?.[1];
    const data = /^data: (.*)$/m.exec(text)![1];
    return [event === undefined ? { data } : { event, data }];
  }

  /** The seed's exchange, with event `eventIndex` (or the JSON response) replaced by `mutatedResponse` when given. */
  function seedExchange(seed: Seed, request: string, mutatedResponse: string | undefined, eventIndex: number): Exchange {
    if (seed.events === undefined) return exchangeOf(seed.endpoint, request, mutatedResponse ?? JSON.stringify(seed.response), false);
    const events = seed.events.map(({ event, data }) => ({ event, data: JSON.stringify(data) }));
    if (mutatedResponse !== undefined) events[eventIndex % events.length].data = mutatedResponse;
    return exchangeOf(seed.endpoint, request, sseOf(events), true);
  }

  const seedIndex = fc.nat();
  const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

  it('never throws and writes only valid attributes when request fields have wrong types, huge numbers or deep nesting', () => {
    fc.assert(
      fc.property(seedIndex, mutations, (index, changes) => {
        const seed = seeds[index % seeds.length];
        expectHarmless(seedExchange(seed, applyMutations(seed.request, changes), undefined, 0));
      }),
      runs(250),
    );
  });

  it('never throws and writes only valid attributes when response bodies or stream events are hostile', () => {
    fc.assert(
      fc.property(seedIndex, mutations, fc.nat(), (index, changes, eventIndex) => {
        const seed = seeds[index % seeds.length];
        const original = seed.events === undefined ? seed.response : seed.events[eventIndex % seed.events.length].data;
        expectHarmless(seedExchange(seed, JSON.stringify(seed.request), applyMutations(original, changes), eventIndex));
      }),
      runs(250),
    );
  });

  it('never throws on hostile error bodies of any status', () => {
    fc.assert(
      fc.property(seedIndex, hostileJson, fc.constantFrom(400, 401, 404, 422, 500, 503), (index, body, status) => {
        const seed = seeds[index % seeds.length];
        expectHarmless(exchangeOf(seed.endpoint, JSON.stringify(seed.request), `{"error":${body},"message":${body},"type":${body}}`, false, status));
        expectHarmless(exchangeOf(seed.endpoint, JSON.stringify(seed.request), sseOf([{ data: `{"error":${body}}` }]), true));
      }),
      runs(120),
    );
  });
});

describe('a mapping step that throws', () => {
  it('is logged once as a failure, not also as a schema failure, and the rest of the span is kept', () => {
    // Validates (the parameter is open), parses, but overflows the stack in JSON.stringify of llm.invocation_parameters.
    const depth = 20_000;
    const request = `{"model":"m","messages":[{"role":"user","content":"deep"}],"vllm_xargs":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const response = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
    const { rewrite, problems } = interpret(exchangeOf('chat', request, response, false));
    expect(problems.filter(problem => problem.startsWith('request mapping failed'))).to.have.length(1);
    expect(problems.filter(problem => problem.includes('fails its schema'))).to.deep.equal([]);
    expect(rewrite.attributes['llm.output_messages.0.content']).to.equal('ok');
    expect(rewrite.attributes['fi.span.kind']).to.equal('LLM');
  });
});
