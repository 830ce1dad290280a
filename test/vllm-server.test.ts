import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { VllmTestServer } from './support/vllm-server';
import {
  DONE_EVENT,
  chatChunk,
  chatCompletion,
  chatStreamEvents,
  completion,
  embeddingResponse,
  flatError,
  nestedError,
  pythonJsonDumps,
  rerankResponse,
  sseEvent,
  streamErrorEvent,
  usageChunk,
  wireJson,
} from './support/vllm-wire';

const FIXTURES = path.resolve(__dirname, 'fixtures/real-vllm');

/** Data payloads of an SSE body (enough for the well-formed bodies the server sends). */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((event) => event.split('\n').find((line) => line.startsWith('data: '))!.slice('data: '.length));
}

describe('vLLM wire builders', () => {
  const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8').trimEnd();
  const compact = (text: string) => JSON.stringify(JSON.parse(text));

  it('reproduce the real vLLM bodies byte for byte', () => {
    const chat = chatCompletion({
      id: 'chatcmpl-d3270d4a16cb4b98936f71ee3016451f',
      created: 1764924127,
      model: 'Qwen/Qwen3-VL-8B-Instruct',
      content: 'The text in the illustration is: **TONGYI Qwen**',
      usage: { promptTokens: 107, completionTokens: 16 },
    });
    expect(wireJson(chat)).to.equal(fixture('03_vllm-ascend_chat_completion_nonstream.json'));
    const text = completion({
      id: 'cmpl-125b905e89a34384af754a24bc8ea686',
      created: 1750036455,
      model: 'ibm-granite/granite-3.0-3b-a800m-instruct',
      text: '\n\nThe capital of France is Paris.\n\n[Answer] The capital of France is Paris.',
      usage: { promptTokens: 7, completionTokens: 24 },
    });
    expect(wireJson(text)).to.equal(compact(fixture('05_production-stack_completions_nonstream_pretty.json')));
    const embedding = JSON.parse(fixture('01_vllm-docs_embeddings_float_dimensions32.json'));
    const embeddings = embeddingResponse({ ...embedding, embeddings: [embedding.data[0].embedding], promptTokens: 8 });
    expect(wireJson(embeddings)).to.equal(fixture('01_vllm-docs_embeddings_float_dimensions32.json'));
    const legacy = flatError('Model "BAAI/bge-m3" does not support matryoshka representation, changing output dimensions will lead to poor results.');
    expect(wireJson(legacy)).to.equal(fixture('02_vllm-docs_error_legacy_flat_400.json'));
    const rerank = rerankResponse({
      id: 'rerank-fae51b2b664d4ed38f5969b612edff77',
      model: 'BAAI/bge-reranker-base',
      totalTokens: 56,
      results: [
        { index: 1, text: 'The capital of France is Paris.', score: 0.99853515625 },
        { index: 0, text: 'The capital of Brazil is Brasilia.', score: 0.0005860328674316406 },
      ],
    });
    expect(wireJson(rerank)).to.equal(compact(fixture('08_vllm-docs_rerank_response_pretty.json')));
  });

  it('reproduce a real tool-call stream with continuous usage byte for byte', () => {
    const envelope = { id: 'chat-2267f7e2910a4254bac0650ba74cfc1c', created: 1733162241, model: 'meta/llama-3.1-8b-instruct:fp8' };
    const usage = (completionTokens: number) => ({ promptTokens: 226, completionTokens });
    const args: Array<[string, number]> = [['{"query": "', 15], ['latest', 16], [' news', 17], [' on', 18], [' ai"}', 19]];
    const events = [
      chatChunk({ ...envelope, choices: [{ role: 'assistant', content: '' }], usage: usage(0) }),
      chatChunk({ ...envelope, choices: [{ toolCalls: [{ index: 0, id: 'chatcmpl-tool-b3b307239370432d9910d4b79b4dbbaa', name: 'searchGoogle' }] }], usage: usage(7) }),
      ...args.map(([fragment, tokens]) => chatChunk({ ...envelope, choices: [{ toolCalls: [{ index: 0, arguments: fragment }] }], usage: usage(tokens) })),
      chatChunk({ ...envelope, choices: [{ toolCalls: [{ index: 0, arguments: '' }], finishReason: 'tool_calls', stopReason: 128008 }], usage: usage(20) }),
      usageChunk(usage(20), envelope),
    ].map((chunk) => sseEvent(chunk));
    expect(events.join('') + DONE_EVENT).to.equal(readFileSync(path.join(FIXTURES, '07_nim-vllm_chat_stream_toolcall_continuous_usage.sse'), 'utf8'));
  });

  it('stream tool calls, content and usage in vLLM order', () => {
    const events = chatStreamEvents({
      content: ['Checking.'],
      toolCalls: [
        { id: 'call-a', name: 'a', argumentFragments: ['{"x": ', '1}'] },
        { id: 'call-b', name: 'b', argumentFragments: ['{}'] },
      ],
      promptTokens: 10,
      includeUsage: true,
      continuousUsage: true,
    });
    expect(events.at(-1)).to.equal('data: [DONE]\n\n');
    const chunks = sseData(events.join('')).slice(0, -1).map((data) => JSON.parse(data));
    expect(chunks[0].choices[0].delta).to.deep.equal({ role: 'assistant', content: '' });
    expect(chunks[1].choices[0].delta).to.deep.equal({ content: 'Checking.' });
    expect(chunks[2].choices[0].delta.tool_calls).to.deep.equal([{ id: 'call-a', type: 'function', index: 0, function: { name: 'a' } }]);
    expect(chunks[3].choices[0].delta.tool_calls).to.deep.equal([{ index: 0, function: { arguments: '{"x": ' } }]);
    expect(chunks[5].choices[0].delta.tool_calls[0]).to.include({ index: 1, id: 'call-b' });
    const finish = chunks.at(-2);
    expect(finish.choices[0]).to.include({ finish_reason: 'tool_calls', stop_reason: null });
    expect(chunks.slice(0, -1).map((c) => c.usage.completion_tokens)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(chunks.at(-1)).to.include.keys('usage').and.deep.include({ choices: [] });
    expect(chunks.at(-1).usage).to.deep.equal({ prompt_tokens: 10, total_tokens: 17, completion_tokens: 7 });
  });

  it('print floats and stream errors as Python does', () => {
    expect(wireJson({ temperature: 1, score: 1e-5, embedding: [0, -2.5], probs: [0.25] })).to.equal(
      '{"temperature":1.0,"score":1e-05,"embedding":[0.0,-2.5],"probs":[0.25]}',
    );
    expect(pythonJsonDumps(nestedError('é'))).to.equal('{"error": {"message": "\\u00e9", "type": "BadRequestError", "param": null, "code": 400}}');
    expect(streamErrorEvent('boom')).to.match(/^data: \{"error": \{"message": "boom", /);
  });
});

describe('VllmTestServer', () => {
  let server: VllmTestServer;
  let client: OpenAI;

  // One server for the suite: each test reads only what its own requests produced.
  before(async () => {
    server = await VllmTestServer.start();
    // No retries: a scripted 5xx must reach the test, not be consumed three times.
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
  });
  after(() => server.close());

  const post = (route: string, body: unknown) =>
    fetch(`${server.origin}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // Wire bodies are inspected field by field; `any` keeps those assertions short.
  const postJson = async (route: string, body: unknown): Promise<any> => (await post(route, body)).json();
  const lastRequest = () => server.requests[server.requests.length - 1];
  const user = (content: string) => [{ role: 'user' as const, content }];

  describe('emulating vLLM', () => {
    it('answers a chat completion sized by max_tokens, every field present', async () => {
      const answer = await client.chat.completions.create({ model: 'm', messages: user('Say hello'), max_tokens: 8 });
      expect(answer.id).to.match(/^chatcmpl-[0-9a-f]{32}$/);
      expect(answer.choices[0].message.content).to.equal('Say hello Say hello Say hello Sa');
      expect(answer.choices[0].finish_reason).to.equal('length');
      expect(answer.usage).to.deep.include({ prompt_tokens: 7, completion_tokens: 8, total_tokens: 15 });
      const raw = await postJson('/v1/chat/completions', { messages: user('hi') });
      expect(Object.keys(raw)).to.deep.equal(Object.keys(chatCompletion()));
      expect(Object.keys(raw.choices[0].message)).to.include('reasoning_content');
      expect(raw.choices[0]).to.include({ finish_reason: 'stop', stop_reason: null });
      expect(raw.usage.completion_tokens).to.equal(17); // 16 default tokens + EOS
    });

    it('streams chat chunks that end with [DONE], with include_usage and continuous usage', async () => {
      const stream = await client.chat.completions.create({
        model: 'm',
        messages: user('Stream me'),
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true, continuous_usage_stats: true } as OpenAI.ChatCompletionStreamOptions,
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks).to.have.length(7); // role, 5 tokens (the last finishes), usage
      expect(chunks[0].choices[0].delta).to.deep.equal({ role: 'assistant', content: '' });
      expect(chunks.slice(1, 6).map((c) => c.choices[0].delta.content).join('')).to.equal('Stream me Stream me ');
      expect(chunks[5].choices[0].finish_reason).to.equal('length');
      expect(chunks.slice(0, 6).map((c) => c.usage?.completion_tokens)).to.deep.equal([0, 1, 2, 3, 4, 5]);
      expect(chunks[6].choices).to.deep.equal([]);
      expect(chunks[6].usage).to.deep.equal({ prompt_tokens: 7, total_tokens: 12, completion_tokens: 5 });

      const response = await post('/v1/chat/completions', { messages: user('x'), stream: true });
      expect(response.headers.get('content-type')).to.equal('text/event-stream; charset=utf-8');
      expect(response.headers.get('transfer-encoding')).to.equal('chunked');
      const text = await response.text();
      expect(text.endsWith('}\n\ndata: [DONE]\n\n')).to.equal(true);
      expect(text).not.to.include('"usage"'); // no stream_options, no usage
    });

    it('calls the tools named in the last user message; the SDK reassembles the fragments', async () => {
      const tool = (name: string, parameter: string) => ({
        type: 'function' as const,
        function: { name, parameters: { type: 'object', properties: { [parameter]: { type: 'string' } } } },
      });
      const final = await client.chat.completions
        .stream({ model: 'm', messages: user('Use get_weather and get_time for Paris'), tools: [tool('get_weather', 'city'), tool('get_time', 'zone'), tool('unused', 'x')] })
        .finalChatCompletion();
      const calls = final.choices[0].message.tool_calls!.map((c) => c as OpenAI.ChatCompletionMessageFunctionToolCall);
      expect(calls.map((c) => c.function.name)).to.deep.equal(['get_weather', 'get_time']);
      expect(JSON.parse(calls[0].function.arguments)).to.deep.equal({ city: 'Use get_weather and get_time for Paris' });
      expect(calls[0].id).to.match(/^chatcmpl-tool-/);
      expect(final.choices[0].finish_reason).to.equal('tool_calls');

      const plain = await client.chat.completions.create({ model: 'm', messages: user('get_weather in Paris'), tools: [tool('get_weather', 'city')] });
      expect(plain.choices[0].message.content).to.equal(null);
      expect((plain.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments).to.equal(
        '{"city": "get_weather in Paris"}',
      );
    });

    it('emulates a reasoning parser with the configured reasoning key', async () => {
      const thinking = await VllmTestServer.start({ reasoningTokens: 2, reasoningKey: 'reasoning' });
      try {
        const ask = (stream: boolean) =>
          fetch(`${thinking.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: user('Why'), max_tokens: 3, stream }) });
        const message = ((await (await ask(false)).json()) as ReturnType<typeof chatCompletion>).choices[0].message;
        expect(message).to.include({ reasoning: 'Reasonin', content: 'Why ' }).and.not.to.have.property('reasoning_content');
        const deltas = sseData(await (await ask(true)).text()).slice(1, -1).map((data) => JSON.parse(data).choices[0].delta);
        expect(deltas).to.deep.equal([{ reasoning: 'Reas' }, { reasoning: 'onin' }, { content: 'Why ' }]);
      } finally {
        await thinking.close();
      }
    });

    it('answers n choices, streamed interleaved', async () => {
      const answer = await client.chat.completions.create({ model: 'm', messages: user('abcdefgh'), n: 2, max_tokens: 2 });
      expect(answer.choices.map((c) => c.message.content)).to.deep.equal(['abcdefgh', 'efgh abc']);
      const text = await (await post('/v1/chat/completions', { messages: user('ab'), n: 2, max_tokens: 1, stream: true })).text();
      expect(sseData(text).slice(0, -1).map((d) => JSON.parse(d).choices[0].index)).to.deep.equal([0, 1, 0, 1]);
    });

    it('answers completions, plain and streamed with usage: null kept', async () => {
      const answer = await client.completions.create({ model: 'm', prompt: 'Once upon', max_tokens: 3 });
      expect(answer.object).to.equal('text_completion');
      expect(answer.choices[0].text).to.equal('Once upon On');
      const text = await (await post('/v1/completions', { prompt: 'x', max_tokens: 2, stream: true })).text();
      const chunks = sseData(text);
      expect(chunks.at(-1)).to.equal('[DONE]');
      expect(JSON.parse(chunks[0])).to.include({ usage: null }).and.to.have.nested.property('choices[0].stop_reason', null);
    });

    it('answers embeddings (floats and the SDK default base64), honouring dimensions', async () => {
      const viaSdk = await client.embeddings.create({ model: 'e', input: ['one', 'two'], dimensions: 8 });
      expect(viaSdk.data.map((d) => d.embedding.length)).to.deep.equal([8, 8]);
      expect(lastRequest().body).to.include('"encoding_format":"base64"');
      const raw = await postJson('/v1/embeddings', { input: 'one', dimensions: 8 });
      expect(raw.id).to.match(/^embd-/);
      expect(raw.data[0].embedding).to.deep.equal(viaSdk.data[0].embedding); // deterministic, float32-exact
    });

    it('answers the pooling family, models and health', async () => {
      const rerank = await postJson('/rerank', { query: 'capital of France', documents: ['Brazil is big', 'Paris is the capital of France'], top_n: 1 });
      expect(rerank.results).to.have.length(1);
      expect(rerank.results[0]).to.include({ index: 1 }).and.to.have.nested.property('document.text', 'Paris is the capital of France');
      const score = await postJson('/v1/score', { text_1: 'a b', text_2: ['a b', 'c'] });
      expect(score.data.map((d: { object: string }) => d.object)).to.deep.equal(['score', 'score']);
      const classify = await postJson('/classify', { input: ['good'] });
      expect(classify.data[0].num_classes).to.equal(2);
      expect(classify.data[0].probs.reduce((a: number, b: number) => a + b)).to.equal(1);
      const pooling = await postJson('/pooling', { input: 'x' });
      expect(pooling.id).to.match(/^pool-/);
      expect((await client.models.list()).data.map((m) => m.id)).to.deep.equal(['meta-llama/Llama-3.1-8B-Instruct']);
      const health = await fetch(`${server.origin}/health`);
      expect([health.status, await health.text(), health.headers.get('content-type')]).to.deep.equal([200, '', null]);
    });

    it('answers the Responses API, streamed as event:/data: without [DONE]', async () => {
      const answer = await client.responses.create({ model: 'm', input: 'Hi there', max_output_tokens: 3 });
      expect(answer.id).to.match(/^resp_/);
      expect(answer.output_text).to.equal('Hi there Hi ');
      expect(answer.usage).to.include({ input_tokens: 2, output_tokens: 3 });
      const text = await (await post('/v1/responses', { input: 'Hi', max_output_tokens: 2, stream: true })).text();
      expect(text).not.to.include('[DONE]');
      expect(text.startsWith('event: response.created\ndata: {"response":{')).to.equal(true);
      const stream = await client.responses.create({ model: 'm', input: 'Hi', max_output_tokens: 2, stream: true });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types.filter((t) => t === 'response.output_text.delta')).to.have.length(2);
      expect(types.at(-1)).to.equal('response.completed');
    });

    it('matches routes by suffix and uses X-Request-Id verbatim', async () => {
      const response = await fetch(`${server.origin}/llama/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' },
        body: JSON.stringify({ messages: user('hi') }),
      });
      expect(((await response.json()) as { id: string }).id).to.equal('chatcmpl-abc-123');
      expect(lastRequest().path).to.equal('/llama/v1/chat/completions');
    });

    it('answers 404 on unknown paths and 400 on bodies that are not JSON, as nested errors', async () => {
      const missing = await post('/v1/nothing', {});
      expect(missing.status).to.equal(404);
      expect(await missing.json()).to.deep.equal(nestedError('Not Found', 'Not Found', 404));
      const broken = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', body: '{not json' });
      expect(broken.status).to.equal(400);
      expect(((await broken.json()) as ReturnType<typeof nestedError>).error).to.include({ type: 'Bad Request', code: 400 });
    });

    it('streams 1,000 chunks (paced or coalesced, same bytes) and a 2 KB answer cheaply', async () => {
      const stream = () =>
        fetch(`${server.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'x-request-id': 'bench' },
          body: JSON.stringify({ messages: user('benchmark'), max_tokens: 1000, stream: true }),
        }).then((response) => response.text());
      const text = await stream();
      expect(sseData(text)).to.have.length(1 + 1000 + 1);
      server.respondWith((request) => ({ ...server.emulate(request), coalesce: true }));
      expect(await stream()).to.equal(text);
      const answer = await client.chat.completions.create({ model: 'm', messages: user('two kilobytes'), max_tokens: 512 });
      expect(Buffer.byteLength(answer.choices[0].message.content!)).to.equal(2048);
    });
  });

  describe('scripted responses', () => {
    it('deliver scripted error bodies to the SDK as APIError with status and message', async () => {
      server.respondWith(
        { status: 400, json: nestedError('max_tokens is too large', 'BadRequestError', 400) },
        { status: 500, json: nestedError('engine dead', 'InternalServerError', 500) },
        { status: 401, json: { error: 'Unauthorized' } },
        { status: 400, json: flatError('legacy flat error') },
      );
      const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail('should throw'), (error: unknown) => error);
      const ask = () => failure(client.chat.completions.create({ model: 'm', messages: user('x') }));
      const bad = await ask();
      expect(bad).to.be.instanceOf(OpenAI.BadRequestError).and.include({ status: 400, message: '400 max_tokens is too large' });
      expect(await ask()).to.be.instanceOf(OpenAI.InternalServerError).and.include({ status: 500, message: '500 engine dead' });
      expect(await ask()).to.be.instanceOf(OpenAI.AuthenticationError).and.include({ status: 401 });
      // openai-node only reads nested errors: a flat body still gives the right status.
      expect(await ask()).to.be.instanceOf(OpenAI.BadRequestError).and.include({ status: 400 });
    });

    it('deliver a mid-stream error event to the SDK stream as an APIError', async () => {
      server.respondWith({ events: [chatStreamEvents({ done: false })[0], streamErrorEvent('out of memory'), DONE_EVENT] });
      const stream = await client.chat.completions.create({ model: 'm', messages: user('x'), stream: true });
      const error = await (async () => {
        for await (const _chunk of stream);
      })().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(OpenAI.APIError).and.to.have.property('message').that.includes('out of memory');
    });

    it('take functions of the request, and record requests with their headers', async () => {
      server.respondWith((request) => ({ json: chatCompletion({ content: `echo ${JSON.parse(request.body).messages[0].content}` }) }));
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const answer = await client.chat.completions.create({ model: 'm', messages: user('ping') }, { headers: { traceparent } });
      expect(answer.choices[0].message.content).to.equal('echo ping');
      expect(lastRequest()).to.deep.include({ method: 'POST', path: '/v1/chat/completions' });
      expect(lastRequest().headers.traceparent).to.equal(traceparent);
      expect(JSON.parse(lastRequest().body)).to.deep.include({ model: 'm' });
    });

    it('re-cut the bytes with splitEvery, cutting events and UTF-8 characters mid-way', async () => {
      const events = chatStreamEvents({ content: ['héllo ', '😀'] });
      const bytes = Buffer.byteLength(events.join(''));
      server.respondWith({ events, splitEvery: 7 });
      const text = await (await post('/v1/chat/completions', {})).text();
      expect(text).to.equal(events.join(''));
      expect(lastRequest().response).to.include({ writes: Math.ceil(bytes / 7), bytes, ended: true });
    });

    it('write events separately, delayMs apart, so that the client reads them separately', async () => {
      const events = chatStreamEvents({ content: ['a', 'b'] });
      server.respondWith({ events, delayMs: 15 });
      const reader = (await post('/v1/chat/completions', {})).body!.getReader();
      let reads = 0;
      while (!(await reader.read()).done) reads++;
      expect(reads).to.equal(events.length);
      expect(lastRequest().response.writes).to.equal(events.length);
    });

    it('gzip JSON and SSE bodies, which fetch decodes', async () => {
      const body = chatCompletion({ content: 'compressed' });
      const events = chatStreamEvents({ content: ['x', 'y'] });
      server.respondWith({ json: body, gzip: true }, { events, gzip: true });
      const json = await post('/v1/chat/completions', {});
      expect(json.headers.get('content-encoding')).to.equal('gzip');
      expect(await json.json()).to.deep.equal(body);
      expect(await (await post('/v1/chat/completions', {})).text()).to.equal(events.join(''));
      expect(lastRequest().response.writes).to.equal(events.length);
    });

    it('reset the connection after k writes: the SDK stream throws after the first chunks', async () => {
      server.respondWith((request) => ({ ...server.emulate(request), resetAfter: 3 }));
      const stream = await client.chat.completions.create({ model: 'm', messages: user('reset me'), stream: true });
      const seen: string[] = [];
      const error = await (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0].delta.content ?? '');
      })().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
      expect(seen).to.have.length(3);
      expect(lastRequest().response).to.include({ writes: 3, ended: false });
    });

    it('hang with neverEnd after writing everything', async () => {
      const events = chatStreamEvents({ content: ['x'] });
      server.respondWith({ events, neverEnd: true });
      const reader = (await post('/v1/chat/completions', {})).body!.getReader();
      const decoder = new TextDecoder();
      let received = '';
      while (received.length < events.join('').length) received += decoder.decode((await reader.read()).value, { stream: true });
      expect(received).to.equal(events.join(''));
      const next = await Promise.race([reader.read().then(() => 'more'), new Promise((resolve) => setTimeout(resolve, 50, 'hanging'))]);
      expect(next).to.equal('hanging');
      expect(lastRequest().response).to.include({ writes: events.length, ended: false });
      await reader.cancel();
    });
  });
});
