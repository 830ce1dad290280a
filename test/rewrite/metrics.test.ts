import { expect } from 'chai';
import OpenAI from 'openai';
import { metrics, type Attributes } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { useTracedServer } from '../support/traced-server';
import { chatCompletion, chatStreamEvents, embeddingResponse, nestedError } from '../support/vllm-wire';

/** A reader the test collects from on demand. */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The gen_ai.* histograms by name (the undici instrumentation adds its own HTTP metrics): points' attributes, count, sum. */
async function histograms(reader: MetricReader): Promise<Map<string, { unit: string; points: Array<{ attributes: Attributes; count: number; sum: number }> }>> {
  const { resourceMetrics } = await reader.collect();
  const found = new Map<string, { unit: string; points: Array<{ attributes: Attributes; count: number; sum: number }> }>();
  for (const metric of resourceMetrics.scopeMetrics.flatMap(scope => scope.metrics).filter(m => m.descriptor.name.startsWith('gen_ai.'))) {
    expect(metric.dataPointType).to.equal(DataPointType.HISTOGRAM);
    const histogram = metric as HistogramMetricData;
    found.set(histogram.descriptor.name, {
      unit: histogram.descriptor.unit,
      points: histogram.dataPoints.map(point => ({ attributes: point.attributes, count: point.value.count, sum: point.value.sum ?? NaN })),
    });
  }
  return found;
}

describe('GenAI client metrics', () => {
  const suite = useTracedServer();
  const client = () => new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
  afterEach(() => metrics.disable());

  const common = (requestModel: string, responseModel: string | undefined, operation = 'chat'): Attributes => ({
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'vllm',
    'gen_ai.request.model': requestModel,
    ...(responseModel === undefined ? {} : { 'gen_ai.response.model': responseModel }),
    'server.address': '127.0.0.1',
    'server.port': suite.server.port,
  });

  it('records duration, token usage by type and, for streams only, time to first chunk, with the conventions attributes', async () => {
    const reader = new CollectingReader();
    const tracing = suite.trace({ processor: { meterProvider: new MeterProvider({ readers: [reader] }) } });
    suite.server.respondWith(
      { json: chatCompletion({ model: 'served-a', content: 'hi', usage: { promptTokens: 11, completionTokens: 3 } }) },
      { events: chatStreamEvents({ model: 'served-b', content: ['a', 'b'], includeUsage: true, promptTokens: 5 }), delayMs: 20 },
      { status: 400, json: nestedError('too long', 'BadRequestError') },
      { json: embeddingResponse({ model: 'e5', embeddings: [[0.5]], promptTokens: 4 }) },
    );
    await client().chat.completions.create({ model: 'req-a', messages: [{ role: 'user', content: 'x' }] });
    const stream = await client().chat.completions.create({ model: 'req-b', messages: [{ role: 'user', content: 'y' }], stream: true, stream_options: { include_usage: true } });
    for await (const _chunk of stream);
    await client().chat.completions.create({ model: 'req-c', messages: [{ role: 'user', content: 'z' }] }).catch(() => undefined);
    await client().embeddings.create({ model: 'e5', input: 'w' });
    await tracing.waitForSpans(4);

    const found = await histograms(reader);
    expect([...found.keys()].sort()).to.deep.equal([
      'gen_ai.client.operation.duration',
      'gen_ai.client.operation.time_per_output_chunk',
      'gen_ai.client.operation.time_to_first_chunk',
      'gen_ai.client.token.usage',
    ]);

    const duration = found.get('gen_ai.client.operation.duration')!;
    expect(duration.unit).to.equal('s');
    expect(duration.points.map(p => p.attributes)).to.have.deep.members([
      common('req-a', 'served-a'),
      common('req-b', 'served-b'),
      { ...common('req-c', undefined), 'error.type': 'BadRequestError' },
      common('e5', 'e5', 'embeddings'),
    ]);
    for (const point of duration.points) {
      expect(point.count).to.equal(1);
      // Seconds, not milliseconds: every call here takes well under a minute and more than nothing.
      expect(point.sum).to.be.greaterThan(0).and.lessThan(60);
    }
    const streamed = duration.points.find(p => p.attributes['gen_ai.request.model'] === 'req-b')!;
    expect(streamed.sum).to.be.at.least(0.02);

    const tokens = found.get('gen_ai.client.token.usage')!;
    expect(tokens.unit).to.equal('{token}');
    const usage = tokens.points.map(p => ({ model: p.attributes['gen_ai.request.model'], type: p.attributes['gen_ai.token.type'], sum: p.sum }));
    // The stream's completion tokens are its two content chunks and the finishing one.
    expect(usage).to.have.deep.members([
      { model: 'req-a', type: 'input', sum: 11 },
      { model: 'req-a', type: 'output', sum: 3 },
      { model: 'req-b', type: 'input', sum: 5 },
      { model: 'req-b', type: 'output', sum: 3 },
      { model: 'e5', type: 'input', sum: 4 },
    ]);
    expect(tokens.points.find(p => p.attributes['gen_ai.token.type'] === 'input')!.attributes).not.to.have.property('error.type');

    const firstChunk = found.get('gen_ai.client.operation.time_to_first_chunk')!;
    expect(firstChunk.unit).to.equal('s');
    expect(firstChunk.points.map(p => p.attributes)).to.deep.equal([common('req-b', 'served-b')]);
    expect(firstChunk.points[0].sum).to.be.greaterThan(0).and.at.most(streamed.sum);
  });

  it('records time per output chunk for streams only: one observation per chunk after the first, in seconds, with the conventions attributes', async () => {
    const reader = new CollectingReader();
    const tracing = suite.trace({ processor: { meterProvider: new MeterProvider({ readers: [reader] }) } });
    const events = chatStreamEvents({ model: 'served', content: ['a', 'b', 'c'], includeUsage: true, promptTokens: 5 });
    suite.server.respondWith({ events, delayMs: 30 }, { json: chatCompletion({ model: 'served', content: 'hi' }) });
    const stream = await client().chat.completions.create({ model: 'req', messages: [{ role: 'user', content: 'y' }], stream: true, stream_options: { include_usage: true } });
    for await (const _chunk of stream);
    await client().chat.completions.create({ model: 'req-json', messages: [{ role: 'user', content: 'x' }] });
    await tracing.waitForSpans(2);

    const perChunk = (await histograms(reader)).get('gen_ai.client.operation.time_per_output_chunk')!;
    expect(perChunk.unit).to.equal('s');
    expect(perChunk.points.map(p => p.attributes)).to.deep.equal([common('req', 'served')]);
    // Each event is one write 30 ms after the last, so one client read each: every event but the first is one interval.
    expect(perChunk.points[0].count).to.equal(events.length - 1);
    expect(perChunk.points[0].sum).to.be.at.least(0.025 * (events.length - 1)).and.lessThan(60);
  });

  it('uses the global MeterProvider with metrics: true, looked up at the first call', async () => {
    const reader = new CollectingReader();
    const tracing = suite.trace({ processor: { metrics: true } });
    // Registered after the processor was built, as an app may do.
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    suite.server.respondWith({ json: chatCompletion({ model: 'm', content: 'ok', usage: { promptTokens: 2, completionTokens: 1 } }) });
    await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await tracing.waitForSpans(1);
    expect((await histograms(reader)).get('gen_ai.client.operation.duration')!.points).to.have.length(1);
  });

  it('records nothing without a meterProvider or metrics: true, and nothing with metrics: false', async () => {
    const globalReader = new CollectingReader();
    const givenReader = new CollectingReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [globalReader] }));
    for (const processor of [{}, { meterProvider: new MeterProvider({ readers: [givenReader] }), metrics: false }]) {
      const tracing = suite.trace({ processor });
      suite.server.respondWith({ json: chatCompletion({ model: 'm', content: 'ok' }) });
      await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      await tracing.waitForSpans(1);
      await suite.stop();
    }
    expect((await histograms(globalReader)).size).to.equal(0);
    expect((await histograms(givenReader)).size).to.equal(0);
  });
});
