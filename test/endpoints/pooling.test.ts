import { expect } from 'chai';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Tracing } from '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';

// The pooling family (/pooling, /classify, /score, /rerank) has no call in the openai SDK:
// plain fetch against the vLLM emulator; expectations are read from the bodies it returned.

/** Usage the way the pooling family reports it (rerank: total only). */
interface Usage {
  prompt_tokens?: number;
  total_tokens: number;
}

describe('the pooling-family endpoints of vLLM, through fetch', () => {
  let server: VllmTestServer;
  let tracing: Tracing;

  before(async () => {
    server = await VllmTestServer.start({ embeddingDimensions: 8, labels: ['negative', 'neutral', 'positive'] });
  });
  after(() => server.close());
  beforeEach(() => {
    tracing = new Tracing({ processor: { maxEmbeddingVectorLength: 8 } });
  });
  afterEach(() => tracing.stop());

  /** POSTs a JSON body, returns the parsed answer and the one span the call made. */
  async function post<T>(path: string, body: unknown): Promise<{ answer: T; span: ReadableSpan }> {
    const response = await fetch(`${server.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, path).to.equal(200);
    const answer = (await response.json()) as T;
    const [span] = await tracing.waitForSpans(1);
    return { answer, span };
  }

  function expectUsage(span: ReadableSpan, usage: Usage): void {
    expect(span.attributes['llm.token_count.total']).to.equal(usage.total_tokens);
    // Rerank reports the total alone; a pooling call generates nothing, so the total is its input.
    expect(span.attributes['llm.token_count.prompt']).to.equal(usage.prompt_tokens ?? usage.total_tokens);
    expect(span.attributes['gen_ai.usage.input_tokens']).to.equal(usage.prompt_tokens ?? usage.total_tokens);
  }

  type RerankAnswer = { id: string; results: Array<{ index: number; relevance_score: number; document: { text: string } }>; usage: Usage };

  for (const path of ['/rerank', '/v1/rerank', '/v2/rerank']) {
    it(`records ${path} as a RERANKER span with query, documents, top_n and the ranked results`, async () => {
      const documents = ['a cat sat', 'fast inference with vLLM', 'inference servers are fast'];
      const { answer, span } = await post<RerankAnswer>(path, { model: 'BAAI/bge-reranker-v2-m3', query: 'fast inference', documents, top_n: 2 });
      expect(span.name).to.equal('rerank BAAI/bge-reranker-v2-m3');
      const a = span.attributes;
      expect(a['fi.span.kind']).to.equal('RERANKER');
      expect(a['gen_ai.operation.name']).to.equal('rerank');
      expect(a['reranker.model_name']).to.equal('BAAI/bge-reranker-v2-m3');
      expect(a['reranker.query']).to.equal('fast inference');
      expect(a['reranker.top_k']).to.equal(2);
      documents.forEach((text, i) => expect(a[`reranker.input_documents.${i}.document.content`]).to.equal(text));
      expect(answer.results).to.have.length(2);
      answer.results.forEach((result, rank) => {
        expect(a[`reranker.output_documents.${rank}.document.id`]).to.equal(String(result.index));
        expect(a[`reranker.output_documents.${rank}.document.score`]).to.equal(result.relevance_score);
        expect(a[`reranker.output_documents.${rank}.document.content`]).to.equal(documents[result.index]);
      });
      expect(a['reranker.output_documents.2.document.id']).to.equal(undefined);
      expectUsage(span, answer.usage);
      expect(a['gen_ai.response.id']).to.equal(answer.id);
    });
  }

  type ScoreAnswer = { data: Array<{ index: number; score: number }>; usage: Usage };

  for (const path of ['/score', '/v1/score']) {
    it(`records ${path} like a rerank: the first side as query, the second as documents, one score per pair`, async () => {
      const documents = ['Paris is the capital of France', 'Bananas are yellow'];
      const { answer, span } = await post<ScoreAnswer>(path, { model: 'BAAI/bge-reranker-v2-m3', text_1: 'capital of France', text_2: documents });
      expect(span.name).to.equal('score BAAI/bge-reranker-v2-m3');
      const a = span.attributes;
      expect(a['fi.span.kind']).to.equal('RERANKER');
      expect(a['gen_ai.operation.name']).to.equal('score');
      expect(a['reranker.query']).to.equal('capital of France');
      answer.data.forEach((item, i) => {
        expect(a[`reranker.output_documents.${i}.document.id`]).to.equal(String(item.index));
        expect(a[`reranker.output_documents.${i}.document.score`]).to.equal(item.score);
        expect(a[`reranker.output_documents.${i}.document.content`]).to.equal(documents[item.index]);
      });
      expectUsage(span, answer.usage);
    });
  }

  it('keeps a rerank whose request fails its schema a RERANKER span, with the error vLLM answered', async () => {
    const response = await fetch(`${server.origin}/v1/rerank`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'r', query: 'no documents' }),
    });
    const answer = (await response.json()) as { error: { message: string; type: string } };
    const [span] = await tracing.waitForSpans(1);
    expect(response.status).to.equal(400);
    // Mapped field by field: the model and the query that are valid, no documents.
    expect(span.name).to.equal('rerank r');
    expect(span.attributes['fi.span.kind']).to.equal('RERANKER');
    expect(span.attributes['reranker.model_name']).to.equal('r');
    expect(span.attributes['reranker.query']).to.equal('no documents');
    expect(Object.keys(span.attributes).filter(key => key.startsWith('reranker.input_documents'))).to.deep.equal([]);
    expect(span.attributes['input.value']).to.equal(JSON.stringify({ model: 'r', query: 'no documents' }));
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: answer.error.message });
    expect(span.attributes['error.type']).to.equal(answer.error.type);
  });

  it('records /classify with each input, its label and its probabilities', async () => {
    type ClassifyAnswer = { data: Array<{ index: number; label: string; probs: number[] }>; usage: Usage };
    const input = ['Loved it!', 'It was fine.'];
    const { answer, span } = await post<ClassifyAnswer>('/classify', { model: 'cls', input });
    expect(span.name).to.equal('classify cls');
    const a = span.attributes;
    expect(a['fi.span.kind']).to.equal('LLM');
    expect(a['gen_ai.operation.name']).to.equal('classify');
    input.forEach((text, i) => expect(a[`llm.prompts.${i}`]).to.equal(text));
    for (const item of answer.data) {
      expect(a[`vllm.classification.${item.index}.label`]).to.equal(item.label);
      expect(a[`vllm.classification.${item.index}.probs`]).to.deep.equal(item.probs);
    }
    expectUsage(span, answer.usage);
  });

  it('records /pooling as an EMBEDDING span with its texts, dimension count and vectors', async () => {
    type PoolingAnswer = { data: Array<{ index: number; data: number[] }>; usage: Usage };
    const { answer, span } = await post<PoolingAnswer>('/pooling', { model: 'BAAI/bge-m3', input: ['left', 'right'] });
    expect(span.name).to.equal('embeddings BAAI/bge-m3');
    const a = span.attributes;
    expect(a['fi.span.kind']).to.equal('EMBEDDING');
    expect(a['embedding.model_name']).to.equal('BAAI/bge-m3');
    expect(a['embedding.embeddings.1.embedding.text']).to.equal('right');
    expect(a['gen_ai.embeddings.dimension.count']).to.equal(answer.data[0].data.length);
    for (const item of answer.data) expect(a[`embedding.embeddings.${item.index}.embedding.vector`]).to.deep.equal(item.data);
    expectUsage(span, answer.usage);
  });
});
