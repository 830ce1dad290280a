import type { Attributes, AttributeValue, Context, HrTime, MeterProvider, SpanContext, SpanStatus } from '@opentelemetry/api';

/** Options of `new VLLMSpanProcessor(options)`. */
export interface VLLMSpanProcessorOptions {
  /**
   * Which servers are vLLM. A string must occur in the request URL, a RegExp is tested
   * against it; absent, every host counts. Only POSTs to known inference paths are traced.
   */
  baseUrlPattern?: string | RegExp;
  /**
   * Most bytes kept per request body and per response body (default 4 MiB); a compressed
   * response that would decode to more than this is not decoded (its span keeps the request side).
   */
  maxBodyBytes?: number;
  /**
   * Longest embedding vector (in dimensions) recorded as `embedding.embeddings.{i}.embedding.vector`
   * on `/v1/embeddings` and `/pooling` spans; default 0: no vector is recorded, only its
   * dimension count. Vectors sent as base64 are never recorded.
   */
  maxEmbeddingVectorLength?: number;
  /** Privacy switches; each absent one falls back to its `FI_*` environment variable (read at construction). */
  traceConfig?: TraceConfigOptions;
  /**
   * Which attribute families to write: `'both'` (default: traceAI `llm.*` and GenAI `gen_ai.*`), `'all'` (both,
   * plus OpenInference's per-message `llm.*_messages.{n}.message.*` keys), `'traceai'`, `'gen_ai'`, or
   * `'openinference'` (OpenInference's keys only: per-message form instead of the seed's flat one, no `gen_ai.*`).
   * `fi.span.kind` and `openinference.span.kind` are always written.
   */
  semconv?: SemconvFamily;
  /**
   * Also record the opt-in `gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`
   * and `gen_ai.tool.definitions` (default: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, else off).
   */
  genAiContent?: boolean;
  /** Longest string value (and status message) in characters (default 65536, `Infinity` for no cap); a shorter `attributeValueLengthLimit` of the SDK wins. */
  maxValueLength?: number;
  /** Records the GenAI client metrics with this provider's meter; implies `metrics: true`. */
  meterProvider?: MeterProvider;
  /** Record the GenAI client metrics (default: only when `meterProvider` is given); `true` alone uses the global MeterProvider. */
  metrics?: boolean;
}

/**
 * What to hide. Hidden values become `__REDACTED__`; token counts, model names, finish
 * reasons and ids stay. `true` in an `FI_*` variable (case-insensitive) sets a switch.
 */
export interface TraceConfigOptions {
  /** Every input: `input.value`, input messages, prompts, tools, embedding texts, rerank query (`FI_HIDE_INPUTS`). */
  hideInputs?: boolean;
  /** Every output: `output.value`, output messages, vectors, classification (`FI_HIDE_OUTPUTS`). */
  hideOutputs?: boolean;
  /** Input messages whole (text, images, tool calls, names) and completion prompts (`FI_HIDE_INPUT_MESSAGES`). */
  hideInputMessages?: boolean;
  /** Output messages whole (`FI_HIDE_OUTPUT_MESSAGES`). */
  hideOutputMessages?: boolean;
  /** Input text: message text, reasoning, tool arguments, prompts, embedding/rerank texts (`FI_HIDE_INPUT_TEXT`). */
  hideInputText?: boolean;
  /** Output text: message text, reasoning, tool arguments (`FI_HIDE_OUTPUT_TEXT`). */
  hideOutputText?: boolean;
  /** Input image URLs and inline images (`FI_HIDE_INPUT_IMAGES`). */
  hideInputImages?: boolean;
  /** Embedding vectors (`FI_HIDE_EMBEDDING_VECTORS`). */
  hideEmbeddingVectors?: boolean;
  /** Base64 `data:` images longer than this many characters are replaced (default 32000, `FI_BASE64_IMAGE_MAX_LENGTH`). */
  base64ImageMaxLength?: number;
}

/** The attribute families of the `semconv` option. */
export type SemconvFamily = 'both' | 'all' | 'traceai' | 'gen_ai' | 'openinference';

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

/** The OpenTelemetry `InstrumentationConfig` part of `VLLMInstrumentation`'s options. */
export interface VLLMInstrumentationConfigBase {
  /** Start tracing at construction (default `true`, as every OpenTelemetry instrumentation); `false` waits for `enable()`. */
  enabled?: boolean;
}

/** Options of `new VLLMInstrumentation(options)`: the processor's options, plus the instrumentation's own. */
export interface VLLMInstrumentationOptions extends VLLMSpanProcessorOptions {
  /** OpenTelemetry instrumentation config (`enabled`). */
  instrumentationConfig?: VLLMInstrumentationConfigBase;
}

/** What `VLLMInstrumentation.getConfig()` returns and `setConfig()` takes: the options, with `enabled` at the top as OpenTelemetry expects. */
export interface VLLMInstrumentationConfig extends VLLMInstrumentationOptions {
  /** Whether the instrumentation was constructed enabled (read by `registerInstrumentations`). */
  enabled?: boolean;
}
