import { context, diag, trace, type Context, type Span, type SpanOptions, type Tracer, type TracerOptions, type TracerProvider } from '@opentelemetry/api';
import { isClaimedSpan } from '../capture/span-request-linker';
import type { ProcessorSpan, SpanProcessorLike } from '../types';

const logger = diag.createComponentLogger({ namespace: '@traceai/vllm' });

/**
 * A TracerProvider that starts spans on the user's provider and shows each recording span to one
 * more span processor, as if that processor were in the provider's `spanProcessors`.
 *
 * Why: `VLLMInstrumentation` brings its own VLLMSpanProcessor, but the user's provider was built
 * without it (SDK 2.x/3.x take processors only in their constructor, and a provider may be shared
 * by code that must not see the processor). The processor needs only two moments of a span of the
 * instrumentation's own UndiciInstrumentation: `onStart`, to wait for the request that will carry
 * the span's id in its `traceparent`, and the span's end, to rewrite it if no earlier path did and
 * to release its record. The rewrite itself runs from the undici request's completion path, before
 * the instrumentation ends the span, so every processor and exporter of the user's provider sees
 * the LLM span. Only the tracers handed to that one instrumentation are wrapped; nothing of the
 * user's provider is changed.
 */
export class ProcessorTracerProvider implements TracerProvider {
  constructor(
    private readonly provider: TracerProvider,
    private readonly processor: () => SpanProcessorLike | undefined,
  ) {}

  /** The user's tracer, observed. */
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new ProcessorTracer(this.provider.getTracer(name, version, options), this.processor);
  }
}

class ProcessorTracer implements Tracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly processor: () => SpanProcessorLike | undefined,
  ) {}

  startSpan(name: string, options?: SpanOptions, parent?: Context): Span {
    const span = this.tracer.startSpan(name, options, parent);
    const processor = this.processor();
    // A span the sampler dropped never reaches a processor; one that a VLLMSpanProcessor on the user's
    // own provider already took (in the provider's onStart, just now) is rewritten by that one alone.
    if (processor === undefined || !span.isRecording() || isClaimedSpan(span)) return span;
    processor.onStart(span as unknown as ProcessorSpan, parent ?? context.active());
    observeEnd(span, processor);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    // The same overloads as the SDK's Tracer: (name, fn), (name, options, fn), (name, options, context, fn).
    const fn = rest[rest.length - 1] as F;
    const options = rest.length > 1 ? (rest[0] as SpanOptions | undefined) : undefined;
    const parent = rest.length > 2 ? (rest[1] as Context) : context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/**
 * Calls the processor's `onEnding` just before the span ends (while it can still be changed, on
 * every SDK, with or without its own `onEnding`) and `onEnd` just after, as a provider would.
 * An own property on this one span: the SDK's Span class is not touched.
 */
function observeEnd(span: Span, processor: SpanProcessorLike): void {
  const end = span.end;
  span.end = function endObserved(this: Span, ...args: Parameters<Span['end']>): void {
    const wasEnded = (span as unknown as ProcessorSpan).ended === true;
    if (!wasEnded) guarded('onEnding', () => processor.onEnding?.(span as unknown as ProcessorSpan));
    end.apply(this, args);
    if (!wasEnded) guarded('onEnd', () => processor.onEnd(span as unknown as ProcessorSpan));
  };
}

/** The application's call must never fail because of tracing. */
function guarded(where: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    logger.debug(`${where} failed:`, error);
  }
}
