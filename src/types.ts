import type { Attributes, AttributeValue, Context, HrTime, SpanContext, SpanStatus } from '@opentelemetry/api';

/** Options of `new VLLMSpanProcessor(options)`. */
export interface VLLMSpanProcessorOptions {
  /**
   * Which servers are vLLM. A string must occur in the request URL, a RegExp is tested
   * against it; absent, every host counts. Only POSTs to known inference paths are traced.
   */
  baseUrlPattern?: string | RegExp;
  /** Most bytes kept per request body and per response body (default 4 MiB). */
  maxBodyBytes?: number;
  /**
   * Longest embedding vector (in dimensions) recorded as `embedding.embeddings.{i}.embedding.vector`
   * on `/v1/embeddings` and `/pooling` spans; default 0: no vector is recorded, only its
   * dimension count. Vectors sent as base64 are never recorded.
   */
  maxEmbeddingVectorLength?: number;
}

/**
 * The span as a span processor sees it, written structurally so that SDK 1.x, 2.x and 3.x
 * spans all fit (1.x names the scope `instrumentationLibrary`, 2.x+ `instrumentationScope`).
 */
export interface ProcessorSpan {
  readonly name: string;
  readonly attributes: Attributes;
  readonly ended: boolean;
  readonly status: SpanStatus;
  readonly startTime: HrTime;
  readonly instrumentationScope?: { name: string };
  readonly instrumentationLibrary?: { name: string };
  spanContext(): SpanContext;
  setAttribute(key: string, value: AttributeValue): unknown;
  setAttributes(attributes: Attributes): unknown;
  setStatus(status: SpanStatus): unknown;
  updateName(name: string): unknown;
}

/** The ended span handed to `onEnd`. */
export interface ProcessorReadableSpan {
  readonly name: string;
  readonly attributes: Attributes;
  spanContext(): SpanContext;
}

/** The SpanProcessor contract of every OpenTelemetry JS SDK (onEnding from sdk-trace-base 2.3). */
export interface SpanProcessorLike {
  onStart(span: ProcessorSpan, parentContext: Context): void;
  onEnding?(span: ProcessorSpan): void;
  onEnd(span: ProcessorReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
