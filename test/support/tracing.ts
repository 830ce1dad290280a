import { context, propagation, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation, type UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { VLLMSpanProcessor, type VLLMSpanProcessorOptions } from '../../src';

// A real application registers these once through provider.register(); tests share them.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

/** Which subscribes to undici's channels first; both orders must give the same spans. */
export type SubscriptionOrder = 'processor-first' | 'instrumentation-first';

/** Options of a tracing setup. */
export interface TracingOptions {
  processor?: VLLMSpanProcessorOptions;
  instrumentation?: UndiciInstrumentationConfig;
  order?: SubscriptionOrder;
}

/** A real OTel SDK pipeline: UndiciInstrumentation → provider → VLLMSpanProcessor + in-memory exporter. */
export class Tracing {
  readonly exporter = new InMemorySpanExporter();
  readonly processor: VLLMSpanProcessor;
  readonly provider: NodeTracerProvider;
  readonly instrumentation: UndiciInstrumentation;

  constructor(options: TracingOptions = {}) {
    const order = options.order ?? 'processor-first';
    let processor: VLLMSpanProcessor | undefined;
    if (order === 'processor-first') processor = new VLLMSpanProcessor(options.processor);
    this.instrumentation = new UndiciInstrumentation(options.instrumentation);
    processor ??= new VLLMSpanProcessor(options.processor);
    this.processor = processor;
    this.provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(this.exporter)] });
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

  /** Unsubscribes everything so the next test starts clean. */
  async stop(): Promise<void> {
    this.instrumentation.disable();
    await this.provider.shutdown();
    await this.processor.shutdown();
  }
}

export { SpanStatusCode };
