import { diag, type Attributes, type Context } from '@opentelemetry/api';
import type { CaptureRecord } from './capture/capture-record';
import { UndiciCapture } from './capture/undici-capture';
import { applyAttributePolicy, AttributePolicyWriter, type AttributePolicy } from './attribute-policy';
import { interpretExchange } from './interpret';
import type { MappingContext } from './endpoints/endpoint-handler';
import type { SpanRewrite } from './internal-types';
import { ENDPOINT_HANDLERS } from './endpoints/registry';
import { maskStatus } from './masking';
import { CallMetricsRecorder } from './metrics';
import { resolveOptions } from './options';
import type { EndpointKind } from './routing';
import type { ProcessorReadableSpan, ProcessorSpan, SpanProcessorLike, VLLMSpanProcessorOptions } from './types';
import { foldsAsItArrives, LiveStreamFold } from './stream-fold';
import { SchemaValidator } from './validation';

const logger = diag.createComponentLogger({ namespace: '@traceai/vllm' });

/**
 * Turns the HTTP client spans that `@opentelemetry/instrumentation-undici` makes for calls
 * to vLLM into LLM spans. Add it to the tracer provider next to the exporting processor;
 * its position in the list does not matter.
 */
export class VLLMSpanProcessor implements SpanProcessorLike {
  private readonly capture: UndiciCapture;
  private readonly mapping: MappingContext;
  /** Every attribute set written goes through it: semconv family, gen_ai content opt-in, masking, value cap. */
  private readonly policy: AttributePolicy;
  /** The same policy applied straight into the span at the rewrite, deciding each key once. */
  private readonly attributeWriter: AttributePolicyWriter;
  private readonly callMetrics: CallMetricsRecorder;
  /** The span-start attributes of each endpoint, already through the policy: the same for every span. */
  private readonly startAttributes = new Map<EndpointKind, Attributes>();
  private warnedTooLate = false;

  /** Throws on invalid options; listens to undici from here on. */
  constructor(options?: VLLMSpanProcessorOptions) {
    const resolved = resolveOptions(options);
    this.mapping = { validator: new SchemaValidator(), options: resolved };
    this.policy = resolved;
    this.attributeWriter = new AttributePolicyWriter(resolved);
    this.callMetrics = new CallMetricsRecorder(resolved.meterProvider);
    this.capture = new UndiciCapture(resolved, {
      onLinked: record => this.markAsLlmSpan(record),
      onResponseHead: record => {
        if (foldsAsItArrives(record)) record.liveResponse = new LiveStreamFold(ENDPOINT_HANDLERS[record.endpoint], this.mapping);
      },
      onCompleted: record => {
        // Runs before the instrumentation ends the span when this processor subscribed first:
        // the path for SDKs without `onEnding`. Otherwise the span already went through onEnding.
        if (!record.span.ended) this.rewrite(record);
      },
      onInternalError: (where, error) => logger.debug(`capture failed in ${where}:`, error),
      // The query string is left out: it may carry keys.
      onUnknownEndpoint: url => logger.debug(`left as HTTP: no vLLM inference endpoint is known at ${url.split('?', 1)[0]}`),
    });
    this.capture.subscribe();
  }

  /** Pairs undici instrumentation spans with their requests. */
  onStart(span: ProcessorSpan, _parentContext: Context): void {
    try {
      this.capture.offerSpan(span);
    } catch (error) {
      logger.debug('onStart failed:', error);
    }
  }

  /** Rewrites a vLLM call's span while it can still be changed (sdk-trace-base >= 2.3). */
  onEnding(span: ProcessorSpan): void {
    const record = this.capture.recordOf(span);
    if (record !== undefined && !record.finished) this.rewrite(record);
  }

  /** Releases a record whose span ended before any rewrite path could run. */
  onEnd(span: ProcessorReadableSpan): void {
    const record = this.capture.recordOf(span);
    if (record === undefined || record.finished) return;
    if (!this.warnedTooLate) {
      this.warnedTooLate = true;
      logger.warn(
        'a vLLM span ended before it could be rewritten: this SDK has no SpanProcessor.onEnding, so construct ' +
          'VLLMSpanProcessor before UndiciInstrumentation is enabled (or use @opentelemetry/sdk-trace-base >= 2.3)',
      );
    }
    this.capture.finish(record);
  }

  /** Nothing is buffered here; resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops listening to undici. */
  shutdown(): Promise<void> {
    this.capture.unsubscribe();
    return Promise.resolve();
  }

  /** Records linked to a span that has not ended yet (for leak checks). */
  get liveCaptureCount(): number {
    return this.capture.liveRecords;
  }

  private markAsLlmSpan(record: CaptureRecord): void {
    let attributes = this.startAttributes.get(record.endpoint);
    if (attributes === undefined) {
      attributes = applyAttributePolicy(ENDPOINT_HANDLERS[record.endpoint].startAttributes, this.policy);
      this.startAttributes.set(record.endpoint, attributes);
    }
    // Set at start so samplers and span-start hooks already see an LLM span.
    record.span.setAttributes(attributes);
  }

  private recordMetrics(span: ProcessorSpan, rewrite: SpanRewrite): void {
    if (!this.callMetrics.enabled) return;
    try {
      this.callMetrics.record({ attributes: rewrite.attributes, spanAttributes: span.attributes, startTime: span.startTime });
    } catch (error) {
      logger.debug('metrics not recorded:', error);
    }
  }

  private rewrite(record: CaptureRecord): void {
    try {
      const rewrite = interpretExchange(record.toExchange(), this.mapping, problem => logger.debug(problem));
      const span = record.span;
      span.updateName(rewrite.name);
      // The start attributes are on the span since it was linked (markAsLlmSpan).
      for (const attributes of rewrite.attributeSets) this.attributeWriter.write(span, attributes);
      if (rewrite.status !== undefined) span.setStatus(maskStatus(rewrite.status, this.policy.traceConfig));
      this.recordMetrics(span, rewrite);
      logger.debug(`rewrote span "${rewrite.name}" (${record.byteSources})`);
    } catch (error) {
      logger.debug('rewrite failed, span left as HTTP:', error);
    } finally {
      this.capture.finish(record);
    }
  }
}
