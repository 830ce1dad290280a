import { expect } from 'chai';
import OpenAI from 'openai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { VLLMSpanProcessor } from '../../src';
import { Tracing, type SubscriptionOrder } from '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';
import { chatCompletion } from '../support/vllm-wire';

// Completions, embeddings, Responses and chat n > 1 through the real openai SDK against the
// vLLM emulator: every expectation is read from what the SDK itself returned.

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe('the other OpenAI-SDK endpoints of vLLM', () => {
  let server: VllmTestServer;
  let tracing: Tracing;
  let client: OpenAI;

  before(async () => {
    server = await VllmTestServer.start({ reasoningTokens: 3, embeddingDimensions: 16 });
  });
  after(() => server.close());

  function trace(options: ConstructorParameters<typeof Tracing>[0] = {}): void {
    tracing = new Tracing(options);
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
  }
  afterEach(() => tracing.stop());

  describe('/v1/completions', () => {
    beforeEach(() => trace());

    it('records each prompt and each choice (prompt·n + i) of a non-stream call', async () => {
      const prompts = ['Once upon a time', 'In a galaxy far away'];
      const response = await client.completions.create({ model: 'Qwen/Qwen2.5-0.5B', prompt: prompts, n: 2, max_tokens: 3, temperature: 0.7 });
      const span = tracing.onlySpan();
      expect(span.name).to.equal('text_completion Qwen/Qwen2.5-0.5B');
      expect(span.kind).to.equal(SpanKind.CLIENT);
      const a = span.attributes;
      expect(a['fi.span.kind']).to.equal('LLM');
      expect(a['gen_ai.operation.name']).to.equal('text_completion');
      expect(a['llm.prompts.0']).to.equal(prompts[0]);
      expect(a['llm.prompts.1']).to.equal(prompts[1]);
      expect(a['gen_ai.request.choice.count']).to.equal(2);
      expect(response.choices).to.have.length(4);
      for (const choice of response.choices) expect(a[`llm.output_messages.${choice.index}.content`]).to.equal(choice.text);
      expect(a['gen_ai.response.finish_reasons']).to.deep.equal(response.choices.map(c => c.finish_reason));
      expect(a['llm.token_count.prompt']).to.equal(response.usage!.prompt_tokens);
      expect(a['llm.token_count.completion']).to.equal(response.usage!.completion_tokens);
      expect(a['gen_ai.usage.output_tokens']).to.equal(response.usage!.completion_tokens);
      expect(a['gen_ai.response.id']).to.equal(response.id);
    });

    it('folds a stream into the same attributes, with usage from the include_usage chunk', async () => {
      const chunks = await drain(
        await client.completions.create({ model: 'm', prompt: 'The sky is', n: 2, max_tokens: 4, stream: true, stream_options: { include_usage: true } }),
      );
      const [span] = await tracing.waitForSpans(1);
      const a = span.attributes;
      for (const index of [0, 1]) {
        const text = chunks.flatMap(c => c.choices.filter(choice => choice.index === index).map(choice => choice.text)).join('');
        expect(a[`llm.output_messages.${index}.content`]).to.equal(text);
      }
      const usage = chunks.at(-1)!.usage!;
      expect(a['llm.token_count.total']).to.equal(usage.total_tokens);
      expect(a['gen_ai.response.finish_reasons']).to.deep.equal(['length', 'length']);
      expect(a['gen_ai.response.time_to_first_chunk']).to.be.a('number');
      expect(JSON.parse(a['output.value'] as string).object).to.equal('text_completion');
    });
  });

  describe('/v1/embeddings', () => {
    it('counts the dimensions of the base64 vectors the SDK asks for by default, and never records them', async () => {
      trace({ processor: { maxEmbeddingVectorLength: 4096 } });
      const response = await client.embeddings.create({ model: 'BAAI/bge-m3', input: ['red', 'green'] });
      expect(JSON.parse(server.requests.at(-1)!.body).encoding_format).to.equal('base64');
      const span = tracing.onlySpan();
      expect(span.name).to.equal('embeddings BAAI/bge-m3');
      const a = span.attributes;
      expect(a['fi.span.kind']).to.equal('EMBEDDING');
      expect(a['gen_ai.operation.name']).to.equal('embeddings');
      expect(a['embedding.model_name']).to.equal('BAAI/bge-m3');
      expect(a['embedding.embeddings.0.embedding.text']).to.equal('red');
      expect(a['embedding.embeddings.1.embedding.text']).to.equal('green');
      expect(a['gen_ai.request.encoding_formats']).to.deep.equal(['base64']);
      expect(a['gen_ai.embeddings.dimension.count']).to.equal(response.data[0].embedding.length);
      expect(Object.keys(a).filter(key => key.endsWith('.embedding.vector'))).to.deep.equal([]);
      expect(a['llm.token_count.prompt']).to.equal(response.usage.prompt_tokens);
      expect(a['gen_ai.usage.input_tokens']).to.equal(response.usage.prompt_tokens);
    });

    it('records float vectors no longer than maxEmbeddingVectorLength, exactly as the SDK returned them', async () => {
      trace({ processor: { maxEmbeddingVectorLength: 16 } });
      const response = await client.embeddings.create({ model: 'm', input: ['one', 'two'], encoding_format: 'float' });
      const a = tracing.onlySpan().attributes;
      for (const item of response.data) expect(a[`embedding.embeddings.${item.index}.embedding.vector`]).to.deep.equal(item.embedding);
      expect(a['gen_ai.embeddings.dimension.count']).to.equal(16);
    });

    it('refuses a maxEmbeddingVectorLength that is not a non-negative integer, at construction', () => {
      for (const bad of [-1, 1.5, '8', Number.NaN]) {
        expect(() => new VLLMSpanProcessor({ maxEmbeddingVectorLength: bad as number }), String(bad)).to.throw(RangeError, /maxEmbeddingVectorLength/);
      }
      trace();
    });

    it('records no vector by default, nor one longer than the limit', async () => {
      for (const processor of [{}, { maxEmbeddingVectorLength: 15 }]) {
        trace({ processor });
        await client.embeddings.create({ model: 'm', input: 'one', encoding_format: 'float' });
        const a = tracing.onlySpan().attributes;
        expect(a['embedding.embeddings.0.embedding.vector'], JSON.stringify(processor)).to.equal(undefined);
        expect(a['gen_ai.embeddings.dimension.count']).to.equal(16);
        await tracing.stop();
      }
      trace();
    });
  });

  describe('/v1/responses', () => {
    it('records instructions, input, reasoning, output text and usage of a non-stream call', async () => {
      trace();
      // Without max_output_tokens: the emulator answers `completed` where vLLM would say `incomplete` at the limit.
      const response = await client.responses.create({ model: 'Qwen/Qwen3-8B', instructions: 'Be terse.', input: 'Capital of Italy?', temperature: 0.4 });
      const span = tracing.onlySpan();
      expect(span.name).to.equal('chat Qwen/Qwen3-8B');
      const a = span.attributes;
      expect(a['fi.span.kind']).to.equal('LLM');
      expect(a['gen_ai.operation.name']).to.equal('chat');
      expect(a['llm.input_messages.0.role']).to.equal('system');
      expect(a['llm.input_messages.0.content']).to.equal('Be terse.');
      expect(a['llm.input_messages.1.role']).to.equal('user');
      expect(a['llm.input_messages.1.content']).to.equal('Capital of Italy?');
      expect(a['gen_ai.request.temperature']).to.equal(0.4);
      expect(a['llm.output_messages.0.role']).to.equal('assistant');
      expect(a['llm.output_messages.0.content']).to.equal(response.output_text);
      const reasoning = response.output.find(item => item.type === 'reasoning');
      if (reasoning?.type !== 'reasoning') throw new Error('the server was started with reasoning tokens');
      expect(a['llm.output_messages.0.reasoning']).to.equal(reasoning.content![0].text);
      expect(response.status).to.equal('completed');
      expect(a['gen_ai.response.finish_reasons']).to.deep.equal(['stop']);
      expect(a['llm.token_count.prompt']).to.equal(response.usage!.input_tokens);
      expect(a['llm.token_count.completion']).to.equal(response.usage!.output_tokens);
      expect(a['gen_ai.usage.reasoning.output_tokens']).to.equal(response.usage!.output_tokens_details.reasoning_tokens);
      expect(a['gen_ai.response.id']).to.equal(response.id);
    });

    for (const order of ['processor-first', 'instrumentation-first'] as SubscriptionOrder[]) {
      it(`folds the named-event stream (no [DONE]) into the same attributes (${order})`, async () => {
        trace({ order });
        const events = await drain(await client.responses.create({ model: 'm', input: 'Say something.', stream: true }));
        const [span] = await tracing.waitForSpans(1);
        const a = span.attributes;
        const deltas = events.flatMap(event => (event.type === 'response.output_text.delta' ? [event.delta] : []));
        expect(deltas.length).to.be.greaterThan(1);
        expect(a['llm.output_messages.0.content']).to.equal(deltas.join(''));
        const completed = events.at(-1)!;
        if (completed.type !== 'response.completed') throw new Error(`last event is ${completed.type}`);
        expect(a['gen_ai.response.id']).to.equal(completed.response.id);
        expect(a['llm.token_count.total']).to.equal(completed.response.usage!.total_tokens);
        expect(a['gen_ai.response.finish_reasons']).to.deep.equal(['stop']);
        expect(span.status.code).to.equal(SpanStatusCode.UNSET);
        expect(tracing.processor.liveCaptureCount).to.equal(0);
      });
    }
  });

  describe('/v1/chat/completions with n > 1', () => {
    beforeEach(() => trace());

    it('records one output message per choice and the finish reasons in choice order', async () => {
      server.respondWith({
        json: chatCompletion({ model: 'm', choices: [{ content: 'Red.', finishReason: 'stop' }, { content: 'Blue is', finishReason: 'length' }] }),
      });
      const response = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'A colour?' }], n: 2, max_tokens: 2 });
      const a = tracing.onlySpan().attributes;
      response.choices.forEach(choice => {
        expect(a[`llm.output_messages.${choice.index}.role`]).to.equal(choice.message.role);
        expect(a[`llm.output_messages.${choice.index}.content`]).to.equal(choice.message.content);
      });
      expect(a['gen_ai.response.finish_reasons']).to.deep.equal(response.choices.map(choice => choice.finish_reason));
      expect(a['gen_ai.response.finish_reasons']).to.deep.equal(['stop', 'length']);
      expect(a['llm.output_messages.2.content']).to.equal(undefined);
    });
  });
});
