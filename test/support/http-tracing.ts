import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { VLLMSpanProcessor, type VLLMSpanProcessorOptions } from '../../src';
// The global context manager and W3C propagator, as a registered provider sets them.
import './tracing';

/** Options of a node:http tracing setup. */
export interface HttpTracingOptions {
  processor?: VLLMSpanProcessorOptions;
  instrumentation?: HttpInstrumentationConfig;
  /** Which is built first; both must give the same spans. */
  order?: 'processor-first' | 'instrumentation-first';
  sampler?: Sampler;
  /** Hide `onEnding` from the SDK, as SDK 1.x and 2.0-2.2 have none. */
  withoutOnEnding?: boolean;
}

/** A real OTel SDK pipeline for node:http clients: HttpInstrumentation → provider → VLLMSpanProcessor + in-memory exporter. */
export class HttpTracing {
  readonly exporter = new InMemorySpanExporter();
  readonly processor: VLLMSpanProcessor;
  readonly provider: NodeTracerProvider;
  readonly instrumentation: HttpInstrumentation;

  constructor(options: HttpTracingOptions = {}) {
    let processor: VLLMSpanProcessor | undefined;
    if (options.order !== 'instrumentation-first') processor = new VLLMSpanProcessor(options.processor);
    // The test server stands for vLLM in another process: its incoming requests are not the app's spans.
    this.instrumentation = new HttpInstrumentation({ disableIncomingRequestInstrumentation: true, ...options.instrumentation });
    // The hook patches node:http when it is next required; the clients hold the same module object.
    require('http');
    require('https');
    processor ??= new VLLMSpanProcessor(options.processor);
    this.processor = processor;
    const vllm: SpanProcessor = options.withoutOnEnding ? withoutOnEnding(processor) : processor;
    this.provider = new NodeTracerProvider({ spanProcessors: [vllm, new SimpleSpanProcessor(this.exporter)], sampler: options.sampler });
    this.instrumentation.setTracerProvider(this.provider);
  }

  /** Every finished span so far. */
  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** Waits until `count` spans have ended. */
  async waitForSpans(count: number, timeoutMs = 5000): Promise<ReadableSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.spans().length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} spans, have ${this.spans().length}`);
      await new Promise(resolve => setTimeout(resolve, 5));
    }
    return this.spans();
  }

  /** Unpatches node:http and shuts everything down so the next test starts clean. */
  async stop(): Promise<void> {
    this.instrumentation.disable();
    await this.provider.shutdown();
    await this.processor.shutdown();
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
