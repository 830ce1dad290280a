import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import OpenAI from 'openai';
import * as zlib from 'zlib';
import { Tracing } from '../support/tracing';
import { VllmTestServer, type ReceivedRequest, type ResponseScript } from '../support/vllm-server';
import { wireJson } from '../support/vllm-wire';

/** Bodies whose content-type says one thing and whose bytes another are read by what they are. */
describe('bodies whose content-type lies', () => {
  let server: VllmTestServer;
  let tracing: Tracing;
  const client = () => new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });

  before(async () => {
    server = await VllmTestServer.start();
    tracing = new Tracing();
  });
  after(async () => {
    await tracing.stop();
    await server.close();
  });
  afterEach(() => tracing.exporter.reset());

  async function onlySpan(): Promise<ReadableSpan> {
    const [span] = await tracing.waitForSpans(1);
    expect(tracing.spans()).to.have.length(1);
    expect(tracing.processor.liveCaptureCount).to.equal(0);
    return span;
  }

  it('an event stream labelled application/json is folded as a stream', async () => {
    server.respondWith((request: ReceivedRequest) => ({ ...server.emulate(request), headers: { 'content-type': 'application/json' } }));
    const stream = await client().chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'labelled json' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    const span = await onlySpan();
    expect(content.length).to.be.greaterThan(0);
    expect(span.attributes['llm.output_messages.0.content']).to.equal(content);
    expect(span.attributes['gen_ai.usage.output_tokens']).to.be.a('number');
  });

  for (const gzip of [false, true]) {
    it(`a JSON body labelled text/event-stream${gzip ? ', gzip,' : ''} is read as JSON`, async () => {
      server.respondWith((request: ReceivedRequest): ResponseScript => {
        const json = server.emulate(request).json;
        return gzip
          ? { chunks: [zlib.gzipSync(wireJson(json))], headers: { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' } }
          : { json, headers: { 'content-type': 'text/event-stream' } };
      });
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'labelled sse' }] }),
      });
      const body = JSON.parse(await response.text());
      const span = await onlySpan();
      expect(span.attributes['llm.output_messages.0.content']).to.equal(body.choices[0].message.content);
      expect(span.attributes['gen_ai.response.id']).to.equal(body.id);
      expect(span.attributes['output.mime_type']).to.equal('application/json');
    });
  }
});
