import { expect } from 'chai';
import OpenAI from 'openai';
import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type MetricData } from '@opentelemetry/sdk-metrics';
import * as A from '../../src/attributes';
import { METRIC_OPERATION_DURATION, METRIC_TIME_PER_OUTPUT_CHUNK, METRIC_TIME_TO_FIRST_CHUNK, METRIC_TOKEN_USAGE } from '../../src/rewrite/metrics';
import { useTracedServer } from '../support/traced-server';
import { nestedError } from '../support/vllm-wire';
import { SEMCONV_VERSION, metricDefinition } from './semconv-model';
import { registryViolations } from './semconv-registry-rules';
import { requirementViolations } from './semconv-span-rules';

/** A reader the test collects from on demand. */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

// The data points each instrument of the conventions exports (the SDK's descriptor does not name the instrument).
const DATA_POINT_TYPE: Readonly<Record<string, DataPointType>> = { histogram: DataPointType.HISTOGRAM, counter: DataPointType.SUM, updowncounter: DataPointType.SUM, gauge: DataPointType.GAUGE };

/** What breaks metrics.yaml in one recorded metric; `failedModels` are the request models of the calls that failed. */
function metricViolations(metric: MetricData, failedModels: ReadonlySet<string>): string[] {
  const name = metric.descriptor.name;
  const definition = metricDefinition(name);
  if (definition === undefined) return [`${name} is not a metric of the conventions`];
  const problems: string[] = [];
  if (metric.dataPointType !== DATA_POINT_TYPE[definition.instrument]) problems.push(`${name} is not a ${definition.instrument}`);
  if (metric.descriptor.unit !== definition.unit) problems.push(`${name} unit ${metric.descriptor.unit}, expected ${definition.unit}`);
  for (const point of (metric as HistogramMetricData).dataPoints) {
    const attributes = point.attributes;
    const model = attributes[A.GEN_AI_REQUEST_MODEL];
    // Every call here names its model, so "If available." always applies; a point without one fails on it.
    const facts = { request: { model: model ?? 'a model was sent' }, failed: failedModels.has(String(model)) };
    const where = `${name} ${JSON.stringify(attributes)}`;
    problems.push(...registryViolations(attributes).map(problem => `${where}: ${problem}`));
    problems.push(...requirementViolations(attributes, definition.attributes, facts).map(problem => `${where}: ${problem}`));
    problems.push(...Object.keys(attributes).filter(key => !definition.attributes.has(key)).map(key => `${where}: ${key} is not an attribute of the metric`));
    if (definition.valueType === 'int' && ![point.value.sum, point.value.min, point.value.max].every(value => value === undefined || Number.isInteger(value))) {
      problems.push(`${where}: values not whole though the metric is int`);
    }
  }
  return problems;
}

/** The gen_ai.* metrics collected from `reader` (the undici instrumentation adds its own HTTP ones). */
async function genAiMetrics(reader: MetricReader): Promise<MetricData[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap(scope => scope.metrics).filter(metric => metric.descriptor.name.startsWith(A.GEN_AI_NAMESPACE));
}

const modelsOf = (metric: MetricData | undefined): string[] => (metric?.dataPoints ?? []).map(point => String((point.attributes as Attributes)[A.GEN_AI_REQUEST_MODEL])).sort();

describe(`GenAI client metrics against semantic conventions v${SEMCONV_VERSION} (model/gen-ai/metrics.yaml)`, () => {
  const suite = useTracedServer();
  const client = () => new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });

  it('records only defined metrics, with their instrument, unit, value type and allowed and required attributes', async () => {
    const reader = new CollectingReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    const tracing = suite.trace({ processor: { meterProvider: new MeterProvider({ readers: [reader] }) } });
    const messages = [{ role: 'user' as const, content: 'hello there' }];
    await client().chat.completions.create({ model: 'chat-json', messages });
    for await (const _chunk of await client().chat.completions.create({ model: 'chat-stream', messages, stream: true, stream_options: { include_usage: true } }));
    for await (const _chunk of await client().completions.create({ model: 'completion-stream', prompt: 'The sky', stream: true, max_tokens: 3 }));
    await client().embeddings.create({ model: 'embed', input: 'x' });
    suite.server.respondWith({ status: 400, json: nestedError('too long', 'BadRequestError') });
    await client().chat.completions.create({ model: 'chat-error', messages }).catch(() => undefined);
    await tracing.waitForSpans(5);

    const found = await genAiMetrics(reader);
    expect(found.map(metric => metric.descriptor.name).sort()).to.deep.equal([METRIC_OPERATION_DURATION, METRIC_TIME_PER_OUTPUT_CHUNK, METRIC_TIME_TO_FIRST_CHUNK, METRIC_TOKEN_USAGE]);
    expect(found.flatMap(metric => metricViolations(metric, new Set(['chat-error'])))).to.deep.equal([]);
    // "SHOULD be reported for streaming calls and SHOULD NOT be reported otherwise."
    const byName = (name: string) => found.find(metric => metric.descriptor.name === name);
    expect(modelsOf(byName(METRIC_TIME_TO_FIRST_CHUNK))).to.deep.equal(['chat-stream', 'completion-stream']);
    expect(modelsOf(byName(METRIC_TIME_PER_OUTPUT_CHUNK))).to.deep.equal(['chat-stream', 'completion-stream']);
    expect(modelsOf(byName(METRIC_OPERATION_DURATION))).to.deep.equal(['chat-error', 'chat-json', 'chat-stream', 'completion-stream', 'embed']);
  });

  it('fails on a metric with a wrong unit, an attribute it does not define or a missing required one', () => {
    const point = (attributes: Attributes) => ({ attributes, startTime: [0, 0], endTime: [0, 0], value: { sum: 3, min: 3, max: 3, count: 1, buckets: { boundaries: [], counts: [] } } });
    const metric = (unit: string, attributes: Attributes): MetricData =>
      ({
        descriptor: { name: METRIC_TOKEN_USAGE, unit, description: '', valueType: 0 },
        dataPointType: DataPointType.HISTOGRAM,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPoints: [point(attributes)],
      }) as unknown as MetricData;
    const good = { [A.GEN_AI_OPERATION_NAME]: 'chat', [A.GEN_AI_PROVIDER_NAME]: 'vllm', [A.GEN_AI_REQUEST_MODEL]: 'm', [A.GEN_AI_TOKEN_TYPE]: 'input' };
    expect(metricViolations(metric('{token}', good), new Set())).to.deep.equal([]);
    expect(metricViolations(metric('tokens', good), new Set())).to.have.length(1);
    expect(metricViolations(metric('{token}', { ...good, [A.ERROR_TYPE]: 'X' }), new Set())).to.have.length(1);
    expect(metricViolations(metric('{token}', { ...good, [A.GEN_AI_TOKEN_TYPE]: undefined }), new Set())).to.have.length(1);
    expect(metricViolations(metric('{token}', { ...good, [A.GEN_AI_TOKEN_TYPE]: 'completion' }), new Set())).to.have.length(1);
  });
});
