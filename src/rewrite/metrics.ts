import { metrics, type Attributes, type AttributeValue, type Histogram, type HrTime, type Meter, type MeterProvider } from '@opentelemetry/api';
import * as A from '../attributes';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../capture/semconv-http';
import type { VLLMSpanProcessorOptions } from '../types';

// GenAI client metrics, as semantic-conventions v1.41.1 model/gen-ai/metrics.yaml names them
// (vendored in test/fixtures/semconv/v1.41.1/).
export const METRIC_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
export const METRIC_TIME_PER_OUTPUT_CHUNK = 'gen_ai.client.operation.time_per_output_chunk';

// The bucket boundaries the conventions ask for.
const SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

const METER_NAME = '@traceai/vllm';

// Operations that generate tokens; pooling ones (embeddings, score, ...) report `completion_tokens: 0`.
const GENERATING_OPERATIONS: ReadonlySet<unknown> = new Set([A.OperationValues.CHAT, A.OperationValues.TEXT_COMPLETION]);

/**
 * Where the metrics go: the given `meterProvider`; with `metrics: true` alone, the global one
 * (looked up at the first recording, so it may be registered after the processor); or nowhere.
 * Throws TypeError on options of the wrong type.
 */
export function resolveMeterProvider(options: VLLMSpanProcessorOptions | undefined): (() => MeterProvider) | undefined {
  const provider = options?.meterProvider;
  if (provider !== undefined && (typeof provider !== 'object' || provider === null || typeof provider.getMeter !== 'function')) {
    throw new TypeError('meterProvider must be a MeterProvider (an object with getMeter)');
  }
  const enabled = options?.metrics ?? provider !== undefined;
  if (typeof enabled !== 'boolean') throw new TypeError(`metrics must be a boolean, got ${typeof enabled}`);
  if (!enabled) return undefined;
  return provider === undefined ? () => metrics.getMeterProvider() : () => provider;
}

/** One finished vLLM call, as the metrics see it. */
export interface CallObservation {
  /** The rewrite's attributes before the attribute policy (all families, nothing masked). */
  attributes: Attributes;
  /** The span's own attributes (`server.address`, `server.port` from the HTTP instrumentation). */
  spanAttributes: Attributes;
  /** When the span started. */
  startTime: HrTime;
  /** Of a stream folded as it arrived: seconds between each chunk and the one before. */
  chunkIntervals?: readonly number[];
}

/** The GenAI client metrics: operation duration, token usage by type, time to first chunk and per output chunk of streams. */
export class GenAiClientMetrics {
  private readonly duration: Histogram;
  private readonly tokenUsage: Histogram;
  private readonly timeToFirstChunk: Histogram;
  private readonly timePerOutputChunk: Histogram;

  constructor(meter: Meter) {
    this.duration = histogram(meter, METRIC_OPERATION_DURATION, 'GenAI operation duration.', 's', SECONDS_BUCKETS);
    this.tokenUsage = histogram(meter, METRIC_TOKEN_USAGE, 'Number of input and output tokens used.', '{token}', TOKEN_BUCKETS);
    this.timeToFirstChunk = histogram(meter, METRIC_TIME_TO_FIRST_CHUNK, 'Time to receive the first chunk of a streamed response.', 's', SECONDS_BUCKETS);
    this.timePerOutputChunk = histogram(
      meter,
      METRIC_TIME_PER_OUTPUT_CHUNK,
      'Time per output chunk of a streamed response, from the end of the previous chunk to the end of this one.',
      's',
      SECONDS_BUCKETS,
    );
  }

  /** A meter named after this package from `provider`. */
  static from(provider: MeterProvider): GenAiClientMetrics {
    return new GenAiClientMetrics(provider.getMeter(METER_NAME));
  }

  /** Records one call: duration; the token counts vLLM reported (output ones where tokens are generated); time to first chunk and per later chunk of streams. */
  record(call: CallObservation, nowMs: number = performance.timeOrigin + performance.now()): void {
    const common = commonAttributes(call);
    const errorType = call.attributes[A.ERROR_TYPE];
    const seconds = Math.max(0, (nowMs - hrTimeToMs(call.startTime)) / 1000);
    this.duration.record(seconds, errorType === undefined ? common : { ...common, [A.ERROR_TYPE]: errorType });
    const input = call.attributes[A.GEN_AI_USAGE_INPUT_TOKENS];
    const output = call.attributes[A.GEN_AI_USAGE_OUTPUT_TOKENS];
    if (typeof input === 'number') this.tokenUsage.record(input, { ...common, [A.GEN_AI_TOKEN_TYPE]: 'input' });
    if (typeof output === 'number' && GENERATING_OPERATIONS.has(common[A.GEN_AI_OPERATION_NAME])) {
      this.tokenUsage.record(output, { ...common, [A.GEN_AI_TOKEN_TYPE]: 'output' });
    }
    const firstChunk = call.attributes[A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK];
    if (typeof firstChunk === 'number') this.timeToFirstChunk.record(firstChunk, common);
    // One observation per chunk after the first, as the conventions define it.
    for (const interval of call.chunkIntervals ?? []) this.timePerOutputChunk.record(interval, common);
  }
}

// The attributes the conventions list for every client metric (error.type only on duration).
function commonAttributes(call: CallObservation): Attributes {
  const common: Attributes = {};
  const copy = (key: string, value: AttributeValue | undefined): void => {
    if (value !== undefined) common[key] = value;
  };
  for (const key of [A.GEN_AI_OPERATION_NAME, A.GEN_AI_PROVIDER_NAME, A.GEN_AI_REQUEST_MODEL, A.GEN_AI_RESPONSE_MODEL]) copy(key, call.attributes[key]);
  copy(ATTR_SERVER_ADDRESS, call.spanAttributes[ATTR_SERVER_ADDRESS]);
  copy(ATTR_SERVER_PORT, call.spanAttributes[ATTR_SERVER_PORT]);
  return common;
}

function hrTimeToMs([seconds, nanos]: HrTime): number {
  return seconds * 1e3 + nanos / 1e6;
}

/** Records calls into the metrics of `provider()`, created at the first call; does nothing without a provider. */
export class CallMetricsRecorder {
  private metrics: GenAiClientMetrics | undefined;

  constructor(private readonly provider: (() => MeterProvider) | undefined) {}

  /** False when no meter provider was given: callers can skip building the observation. */
  get enabled(): boolean {
    return this.provider !== undefined;
  }

  /** Records one call; throws only what the metrics SDK throws. */
  record(call: CallObservation): void {
    if (this.provider === undefined) return;
    this.metrics ??= GenAiClientMetrics.from(this.provider());
    this.metrics.record(call);
  }
}

/** A histogram with the conventions' bucket advice. */
function histogram(meter: Meter, name: string, description: string, unit: string, buckets: number[]): Histogram {
  return meter.createHistogram(name, { description, unit, advice: { explicitBucketBoundaries: buckets } });
}
