import { diag, type Context, type SpanStatus } from '@opentelemetry/api';
import type { CaptureRecord } from './capture/capture-record';
import { UndiciCapture } from './capture/undici-capture';
import type { ChannelCapture } from './capture/channel-capture';
import { HttpCapture, type HttpCaptureListener } from './capture/http-capture';
import { AttributePolicyWriter, truncate } from './privacy/attribute-policy';
import { interpretExchange } from './interpret/interpret';
import type { MappingContext } from './endpoints/endpoint-handler';
import type { Exchange, SpanRewrite } from './interpret/exchange';
import { ENDPOINT_HANDLERS } from './endpoints/registry';
import { maskStatus } from './privacy/masking';
import * as A from './attributes';
import { CallMetricsRecorder } from './rewrite/metrics';
import { keepStatusUntilEnd } from './rewrite/status-at-end';
import { resolveOptions, type ResolvedOptions } from './options';
import { OnceWarnings } from './setup/once-warnings';
import { DuplicateLlmSpanDetector, duplicateLlmSpanMessage } from './setup/duplicate-llm-span';
import { DirectAttributes, hasRoomForAll, PrioritizedAttributes, spanLimitsOf } from './rewrite/span-writer';
import type { ProcessorReadableSpan, ProcessorSpan, SpanProcessorLike, VLLMSpanProcessorOptions } from './types';
import { foldsAsItArrives, LiveStreamFold } from './interpret/stream-fold';
import { SchemaValidator } from './interpret/validation';

const logger = diag.createComponentLogger({ namespace: '@traceai/vllm' });

/**
 * Turns the HTTP client spans that `@opentelemetry/instrumentation-undici` (fetch) and
 * `@opentelemetry/instrumentation-http` (node:http) make for calls to vLLM into LLM spans. Add it to the tracer provider next to the exporting processor;
 * its position in the list, and whether it is built before or after the instrumentation,
 * do not matter.
 */
export class VLLMSpanProcessor implements SpanProcessorLike {
  /** fetch and undici clients, through `@opentelemetry/instrumentation-undici`. */
  private readonly capture: UndiciCapture;
  /** The undici capture and the node:http one (openai v4, axios, node-fetch 2), with one listener. */
  private readonly captures: readonly ChannelCapture[];
  private readonly mapping: MappingContext;
  /** Every attribute set goes through it: semconv family, gen_ai content opt-in, masking, value cap, write order. */
  private readonly attributeWriter: AttributePolicyWriter;
  private readonly policy: ResolvedOptions;
  private readonly callMetrics: CallMetricsRecorder;
  private readonly warnings = new OnceWarnings(logger);
  /** Finds an LLM-client instrumentation's span around a vLLM call (two LLM spans per call). */
  private readonly duplicates: DuplicateLlmSpanDetector;

  /** Throws on invalid options; listens to undici from here on. */
  constructor(options?: VLLMSpanProcessorOptions) {
    const resolved = resolveOptions(options);
    this.policy = resolved;
    this.duplicates = new DuplicateLlmSpanDetector(resolved.pattern);
    this.mapping = { validator: new SchemaValidator(), options: resolved };
    this.attributeWriter = new AttributePolicyWriter(resolved);
    this.callMetrics = new CallMetricsRecorder(resolved.meterProvider);
    const listener: HttpCaptureListener = {
      onResponseHead: record => {
        if (foldsAsItArrives(record)) record.liveResponse = new LiveStreamFold(ENDPOINT_HANDLERS[record.endpoint], this.mapping, undefined, this.callMetrics.enabled);
      },
      onCompleted: record => {
        // From the request's own completion path, before the instrumentation ends the span; on an
        // undici without that path, from the channel, and then the span may already be in onEnding.
        if (!record.span.ended) this.rewrite(record);
      },
      onInternalError: (where, error) => logger.debug(`capture failed in ${where}:`, error),
      // The query string is left out: it may carry keys.
      onUnknownEndpoint: url => logger.debug(`left as HTTP: no vLLM inference endpoint is known at ${url.split('?', 1)[0]}`),
      onSpanOfAnotherProcessor: () =>
        this.warnings.warn(
          'another-processor',
          'two VLLMSpanProcessors are on one tracer provider: each vLLM span is rewritten by the first in spanProcessors only; remove the other',
        ),
      onNoPropagator: () =>
        this.warnings.warn(
          'no-propagator',
          'no trace-context propagator is registered, so vLLM spans cannot be paired with their requests and stay HTTP spans: ' +
            'register one (provider.register() and NodeSDK do; or propagation.setGlobalPropagator(new W3CTraceContextPropagator()))',
        ),
      onRequestBodyUnseen: () =>
        this.warnings.warn(
          'http-request-body-unseen',
          'on Node < 22, node:http clients (openai v4, axios, node-fetch) send their request body before it can be observed: ' +
            'their vLLM spans carry the response only (no input messages, request model or parameters); give HttpInstrumentation ' +
            "`requestHook: httpRequestHook` (from '@traceai/vllm'), or use Node >= 22",
        ),
    };
    this.capture = new UndiciCapture(resolved, listener);
    this.captures = [this.capture, new HttpCapture(resolved, listener)];
    for (const capture of this.captures) capture.subscribe();
  }

  /** Lets the HTTP instrumentations' spans to inference paths wait for their request. */
  onStart(span: ProcessorSpan, parentContext: Context): void {
    try {
      let waiting = false;
      for (const capture of this.captures) waiting = capture.offerSpan(span) || waiting;
      if (!waiting) return;
      // Said, not acted on: the span is still rewritten, as the one whose traceparent reaches vLLM.
      const otherLlmScope = this.duplicates.check(span, parentContext);
      if (otherLlmScope !== undefined) this.warnings.warn('duplicate-llm-span', duplicateLlmSpanMessage(otherLlmScope));
    } catch (error) {
      logger.debug('onStart failed:', error);
    }
  }

  /** Rewrites a vLLM call's span while it can still be changed, if no earlier path did (sdk-trace-base >= 2.3). */
  onEnding(span: ProcessorSpan): void {
    const record = this.recordOf(span);
    if (record === undefined) this.forgetSpan(span);
    else if (!record.finished) this.rewrite(record);
  }

  /** Releases a record whose span ended before any rewrite path could run. */
  onEnd(span: ProcessorReadableSpan): void {
    const record = this.recordOf(span);
    if (record === undefined) return this.forgetSpan(span as ProcessorSpan);
    if (record.finished) return;
    this.warnings.warn(
      'too-late',
      'a vLLM span ended before it could be rewritten: this undici has no completion path to hook and this SDK has no ' +
        'SpanProcessor.onEnding; use @opentelemetry/sdk-trace-base >= 2.3 or construct VLLMSpanProcessor before UndiciInstrumentation is enabled',
    );
    this.finish(record);
  }

  /** Nothing is buffered here; resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops listening to undici and node:http. */
  shutdown(): Promise<void> {
    for (const capture of this.captures) capture.unsubscribe();
    return Promise.resolve();
  }

  /** Records linked to a span that has not ended yet (for leak checks). */
  get liveCaptureCount(): number {
    return this.captures.reduce((sum, capture) => sum + capture.liveRecords, 0);
  }

  private recordOf(span: object): CaptureRecord | undefined {
    for (const capture of this.captures) {
      const record = capture.recordOf(span);
      if (record !== undefined) return record;
    }
    return undefined;
  }

  private forgetSpan(span: ProcessorSpan): void {
    for (const capture of this.captures) capture.forgetSpan(span);
  }

  /** Finished by the capture that made it, which counts its live records. */
  private finish(record: CaptureRecord): void {
    for (const capture of this.captures) if (capture.recordOf(record.span) === record) return capture.finish(record);
  }

  private recordMetrics(span: ProcessorSpan, rewrite: SpanRewrite, exchange: Exchange): void {
    if (!this.callMetrics.enabled) return;
    try {
      const chunkIntervals = exchange.liveResponse?.chunkIntervals?.();
      this.callMetrics.record({ attributes: rewrite.attributes, spanAttributes: span.attributes, startTime: span.startTime, chunkIntervals });
    } catch (error) {
      logger.debug('metrics not recorded:', error);
    }
  }

  private rewrite(record: CaptureRecord): void {
    try {
      if (isRedirect(record.statusCode)) {
        // A hop of a redirected call: the hop that answers is the call's LLM span.
        logger.debug(`left as HTTP: a ${record.statusCode} redirect hop`);
        return;
      }
      const exchange = record.toExchange();
      const rewrite = interpretExchange(exchange, this.mapping, problem => logger.debug(problem));
      const span = record.span;
      const limits = spanLimitsOf(span);
      const maxLength = Math.min(this.policy.maxValueLength, limits.attributeValueLengthLimit);
      span.updateName(rewrite.name);
      // Most spans have room for every key: then they are written as they come, else most useful first.
      const roomForAll = hasRoomForAll(span, [rewrite.startAttributes, ...rewrite.attributeSets], limits.attributeCountLimit);
      const attributes = roomForAll ? new DirectAttributes(span) : new PrioritizedAttributes();
      this.attributeWriter.collect(rewrite.startAttributes, attributes, maxLength);
      for (const set of rewrite.attributeSets) this.attributeWriter.collect(set, attributes, maxLength);
      if (attributes instanceof PrioritizedAttributes) attributes.writeTo(span, limits.attributeCountLimit);
      if (rewrite.status !== undefined) {
        // Masked against the request's own texts, which an error message may quote; then capped.
        const status = capStatus(maskStatus(rewrite.status, this.policy.traceConfig, exchange.requestBody), maxLength);
        span.setStatus(status);
        if (record.statusSetAfterRewrite) keepStatusUntilEnd(span, status, span.attributes[A.ERROR_TYPE]);
      }
      this.recordMetrics(span, rewrite, exchange);
      logger.debug(`rewrote span "${rewrite.name}" (${record.byteSources})`);
    } catch (error) {
      logger.debug('rewrite failed, span left as HTTP:', error);
    } finally {
      this.finish(record);
    }
  }
}

function isRedirect(statusCode: number | undefined): boolean {
  return statusCode !== undefined && statusCode >= 300 && statusCode < 400;
}

function capStatus(status: SpanStatus, maxLength: number): SpanStatus {
  return status.message !== undefined && status.message.length > maxLength ? { ...status, message: truncate(status.message, maxLength) } : status;
}
