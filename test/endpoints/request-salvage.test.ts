import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { Tracing } from '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';
import { chatCompletion } from '../support/vllm-wire';

/** Requests that fail their schema or were cut by the cap still give what can be read of them. */
describe('requests that fail their schema or are cut', () => {
  let server: VllmTestServer;
  let tracing: Tracing | undefined;
  let debugLines: string[];

  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server.close());
  beforeEach(() => {
    debugLines = [];
    const keep = (...args: unknown[]) => debugLines.push(args.map(String).join(' '));
    diag.setLogger({ verbose: () => undefined, debug: keep, info: keep, warn: keep, error: keep }, DiagLogLevel.DEBUG);
  });
  afterEach(async () => {
    diag.disable();
    await tracing?.stop();
    tracing = undefined;
  });

  /** Sends `body` as is to chat completions (answered with a valid completion) and returns the span. */
  async function chatSpan(body: string, maxBodyBytes?: number): Promise<ReadableSpan> {
    tracing = new Tracing({ processor: maxBodyBytes === undefined ? {} : { maxBodyBytes } });
    server.respondWith({ json: chatCompletion({ model: 'served', content: 'ok' }) });
    const response = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.text();
    const [span] = await tracing.waitForSpans(1);
    expect(tracing.processor.liveCaptureCount).to.equal(0);
    expect(span.attributes['fi.span.kind']).to.equal('LLM');
    expect(span.attributes['llm.output_messages.0.content'], 'the response still maps').to.equal('ok');
    return span;
  }

  const inputMessages = (span: ReadableSpan) =>
    Object.fromEntries(Object.entries(span.attributes).filter(([key]) => key.startsWith('llm.input_messages.')));

  it('a chat request without messages keeps its model, span name and sampling parameters', async () => {
    const span = await chatSpan(JSON.stringify({ model: 'llama', temperature: 0.3, max_tokens: 7 }));
    expect(span.name).to.equal('chat llama');
    expect(span.attributes['llm.model']).to.equal('llama');
    expect(span.attributes['gen_ai.request.model']).to.equal('llama');
    expect(span.attributes['gen_ai.request.temperature']).to.equal(0.3);
    expect(span.attributes['gen_ai.request.max_tokens']).to.equal(7);
    expect(inputMessages(span)).to.deep.equal({});
    expect(debugLines.join('\n')).to.match(/request mapped without messages \(missing\)/);
  });

  it('a chat request with one message of the wrong type keeps the valid messages', async () => {
    const span = await chatSpan(
      JSON.stringify({
        model: 'llama',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 42 },
          { role: 'user', content: 'still here' },
        ],
        top_p: 0.5,
      }),
    );
    expect(span.name).to.equal('chat llama');
    expect(inputMessages(span)).to.deep.equal({
      'llm.input_messages.0.role': 'system',
      'llm.input_messages.0.content': 'be brief',
      'llm.input_messages.1.role': 'user',
      'llm.input_messages.1.content': 'still here',
    });
    expect(span.attributes['gen_ai.request.top_p']).to.equal(0.5);
    expect(debugLines.join('\n')).to.match(/request mapped without messages\.1\b/);
  });

  it('a chat request with one parameter of the wrong type keeps the rest', async () => {
    const span = await chatSpan(JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'hi' }], temperature: 'hot', seed: 3 }));
    expect(span.name).to.equal('chat llama');
    expect(span.attributes['llm.input_messages.0.content']).to.equal('hi');
    expect(span.attributes['gen_ai.request.temperature']).to.equal(undefined);
    expect(span.attributes['gen_ai.request.seed']).to.equal(3);
    expect(debugLines.join('\n')).to.match(/request mapped without temperature/);
  });

  it('a chat request cut by maxBodyBytes keeps the model it named first, and only that one', async () => {
    const long = 'x'.repeat(8000);
    const span = await chatSpan(JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: long }] }), 2048);
    expect(span.attributes['vllm.capture.truncated']).to.equal(true);
    expect(span.name).to.equal('chat llama');
    expect(span.attributes['llm.model']).to.equal('llama');
    expect(debugLines.join('\n')).to.match(/request body cut by maxBodyBytes/);
    await tracing!.stop();
    // After the cut, or only inside a message's text: not the request's model.
    const late = await chatSpan(JSON.stringify({ messages: [{ role: 'user', content: `{"model": "inside" ${long}` }], model: 'llama' }), 2048);
    expect(late.name).to.equal('chat');
    expect(late.attributes['llm.model']).to.equal(undefined);
  });

  it('an embeddings request with an input of the wrong type keeps its model and span name', async () => {
    tracing = new Tracing();
    server.respondWith({ status: 400, json: { error: { message: 'bad input', type: 'BadRequestError', param: null, code: 400 } } });
    const response = await fetch(`${server.baseUrl}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'emb', input: { not: 'text' } }) });
    await response.text();
    const [span] = await tracing.waitForSpans(1);
    expect(span.name).to.equal('embeddings emb');
    expect(span.attributes['embedding.model_name']).to.equal('emb');
    expect(span.attributes['gen_ai.request.model']).to.equal('emb');
  });
});
