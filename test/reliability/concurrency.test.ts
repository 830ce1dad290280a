import { expect } from 'chai';
import OpenAI from 'openai';
import { ProcessFailureWatch } from './support';
import { Tracing } from '../support/tracing';
import { VllmTestServer, type ReceivedRequest } from '../support/vllm-server';

const STREAMS = 500;
const MAX_TOKENS = 6;

/** `req-0042`: the emulator answers with the prompt's own text, so a body given to the wrong span shows. */
const markerOf = (i: number) => `req-${String(i).padStart(4, '0')}`;
const MARKER = /req-\d{4}/g;

/** What the emulator answers to a prompt: MAX_TOKENS tokens of 4 characters cycling through "prompt ". */
const answerTo = (prompt: string) => `${prompt} `.repeat(MAX_TOKENS).slice(0, MAX_TOKENS * 4);

describe('reliability: 500 concurrent streams', () => {
  let server: VllmTestServer;
  let tracing: Tracing;
  let watch: ProcessFailureWatch;

  before(async () => {
    server = await VllmTestServer.start();
    tracing = new Tracing();
    watch = new ProcessFailureWatch().arm();
  });
  after(async () => {
    await tracing.stop();
    await server.close();
    expect(watch.disarm()).to.deep.equal([]);
  });

  it('gives every span only its own request and response, with all streams open at once and their chunks interleaved', async function () {
    this.timeout(60_000);
    // Hold every answer until the server has received all requests, then stream them all together.
    let release!: () => void;
    const allReceived = new Promise<void>(resolve => (release = resolve));
    let received = 0;
    server.respondWith(
      ...Array.from({ length: STREAMS }, () => async (request: ReceivedRequest) => {
        if (++received === STREAMS) release();
        await allReceived;
        return { ...server.emulate(request), delayMs: 2 };
      }),
    );

    // Which stream each chunk the application read belonged to, in arrival order.
    const arrivals: number[] = [];
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
    const viaSdk = async (i: number) => {
      let content = '';
      let id = '';
      for await (const chunk of await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: markerOf(i) }], stream: true, max_tokens: MAX_TOKENS })) {
        arrivals.push(i);
        id = chunk.id;
        content += chunk.choices[0]?.delta?.content ?? '';
      }
      return { content, id };
    };
    const viaFetch = async (i: number) => {
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: markerOf(i) }], stream: true, max_tokens: MAX_TOKENS }),
      });
      let text = '';
      const decoder = new TextDecoder();
      for await (const bytes of response.body!) {
        arrivals.push(i);
        text += decoder.decode(bytes, { stream: true });
      }
      const chunks = text.split('\n\n').filter(event => event.startsWith('data: {')).map(event => JSON.parse(event.slice(6)));
      return { content: chunks.map(chunk => chunk.choices[0]?.delta?.content ?? '').join(''), id: chunks[0].id as string };
    };
    const results = await Promise.all(Array.from({ length: STREAMS }, (_, i) => (i % 2 === 0 ? viaFetch(i) : viaSdk(i))));

    expect(received).to.equal(STREAMS);
    const switches = arrivals.filter((stream, k) => k > 0 && stream !== arrivals[k - 1]).length;
    expect(switches, 'chunks of different streams arrived interleaved').to.be.greaterThan(STREAMS * 2);

    const spans = await tracing.waitForSpans(STREAMS, 20_000);
    expect(spans).to.have.length(STREAMS);
    const byMarker = new Map(spans.map(span => [span.attributes['llm.input_messages.0.content'] as string, span]));
    expect(byMarker.size, 'every marker on exactly one span').to.equal(STREAMS);
    results.forEach(({ content, id }, i) => {
      const marker = markerOf(i);
      const span = byMarker.get(marker)!;
      expect(content, 'the app got its own answer').to.equal(answerTo(marker));
      const a = span.attributes;
      expect(a['llm.output_messages.0.content'], marker).to.equal(content);
      expect(a['gen_ai.response.id'], marker).to.equal(id);
      for (const key of ['input.value', 'output.value']) {
        const markers = new Set((a[key] as string).match(MARKER));
        expect([...markers], `${marker} ${key}`).to.deep.equal([marker]);
      }
    });
    expect(tracing.processor.liveCaptureCount).to.equal(0);
  });
});
