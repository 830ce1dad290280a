import { context, propagation, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation, type UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type Sampler, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { VLLMSpanProcessor, type VLLMSpanProcessorOptions } from '../../src';

// A real application registers these once through provider.register(); tests share them.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

/** Which subscribes to undici's channels first; both orders must give the same spans. */
export type SubscriptionOrder = 'processor-first' | 'instrumentation-first';

/** Options of a tracing setup; `Config` is its HTTP instrumentation's config. */
export interface TracingSetupOptions<Config> {
  processor?: VLLMSpanProcessorOptions;
  instrumentation?: Config;
  order?: SubscriptionOrder;
  /** The provider's sampler (default: always on). */
  sampler?: Sampler;
  /** The provider's span limits (default: the SDK's, 128 attributes). */
  spanLimits?: SpanLimits;
  /** Where the processor sits in `spanProcessors` (default first). */
  position?: 'first' | 'last';
  /** Hide `onEnding` from the SDK, as SDK 1.x and 2.0-2.2 have none. */
  withoutOnEnding?: boolean;
  /** More processors, placed before the exporting one. */
  moreProcessors?: SpanProcessor[];
}

/** Options of an undici tracing setup. */
export type TracingOptions = TracingSetupOptions<UndiciInstrumentationConfig>;

/** What the setup needs of an HTTP instrumentation. */
interface HttpInstrumentationLike {
  setTracerProvider(provider: NodeTracerProvider): void;
  disable(): void;
}

/** A real OTel SDK pipeline: an HTTP instrumentation → provider → VLLMSpanProcessor + in-memory exporter. */
export class TracingSetup<Instrumentation extends HttpInstrumentationLike, Config> {
  readonly exporter = new InMemorySpanExporter();
  readonly processor: VLLMSpanProcessor;
  readonly provider: NodeTracerProvider;
  readonly instrumentation: Instrumentation;

  constructor(options: TracingSetupOptions<Config>, makeInstrumentation: (config: Config | undefined) => Instrumentation) {
    const order = options.order ?? 'processor-first';
    let processor: VLLMSpanProcessor | undefined;
    if (order === 'processor-first') processor = new VLLMSpanProcessor(options.processor);
    this.instrumentation = makeInstrumentation(options.instrumentation);
    processor ??= new VLLMSpanProcessor(options.processor);
    this.processor = processor;
    const vllm = options.withoutOnEnding ? withoutOnEnding(processor) : processor;
    const exporting = new SimpleSpanProcessor(this.exporter);
    const others = [...(options.moreProcessors ?? []), exporting];
    this.provider = new NodeTracerProvider({
      spanProcessors: options.position === 'last' ? [...others.slice(0, -1), exporting, vllm] : [vllm, ...others],
      sampler: options.sampler,
      spanLimits: options.spanLimits,
    });
    this.instrumentation.setTracerProvider(this.provider);
  }

  /** Every finished span so far. */
  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** Finished spans that became LLM-family spans. */
  llmSpans(): ReadableSpan[] {
    return this.spans().filter(span => span.attributes['fi.span.kind'] !== undefined);
  }

  /** The only finished span; fails when there is not exactly one. */
  onlySpan(): ReadableSpan {
    const spans = this.spans();
    if (spans.length !== 1) throw new Error(`expected 1 span, got ${spans.length}: ${spans.map(s => s.name).join(', ')}`);
    return spans[0];
  }

  /** Waits until `count` spans have ended (the app may finish reading before undici ends the span). */
  async waitForSpans(count: number, timeoutMs = 5000): Promise<ReadableSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.spans().length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} spans, have ${this.spans().length}`);
      await new Promise(resolve => setTimeout(resolve, 5));
    }
    return this.spans();
  }

  /** Disables the instrumentation and shuts everything down so the next test starts clean. */
  async stop(): Promise<void> {
    this.instrumentation.disable();
    await this.provider.shutdown();
    await this.processor.shutdown();
  }
}

/** The undici setup: UndiciInstrumentation → provider → VLLMSpanProcessor + in-memory exporter. */
export class Tracing extends TracingSetup<UndiciInstrumentation, UndiciInstrumentationConfig> {
  constructor(options: TracingOptions = {}) {
    super(options, config => new UndiciInstrumentation(config));
  }
}

/** The processor as an SDK without `SpanProcessor.onEnding` sees it (SDK 1.x, 2.0-2.2). */
function withoutOnEnding(processor: VLLMSpanProcessor): SpanProcessor {
  return {
    onStart: (span, context) => processor.onStart(span, context),
    onEnd: span => processor.onEnd(span),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}

export { SpanStatusCode };
