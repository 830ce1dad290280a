import type { SpanStatus } from '@opentelemetry/api';
import { ERROR_TYPE } from '../attributes';
import type { ProcessorSpan } from '../types';

/**
 * Sets the rewrite's status (and `error.type`) again just before the span ends, for an
 * instrumentation that sets its own after the rewrite ran: instrumentation-http, at the
 * response's `end`, sets ERROR without vLLM's message (and, from 0.300, `error.type` to the
 * HTTP status). An own property on this one span, as the SDK's Span class is not touched; it
 * works on every SDK, with or without `onEnding`.
 */
export function keepStatusUntilEnd(span: ProcessorSpan, status: SpanStatus, errorType: unknown): void {
  const holder = span as ProcessorSpan & { end: (...args: unknown[]) => unknown };
  const end = holder.end;
  if (typeof end !== 'function') return;
  holder.end = function endKeepingStatus(this: unknown, ...args: unknown[]) {
    try {
      span.setStatus(status);
      if (typeof errorType === 'string') span.setAttribute(ERROR_TYPE, errorType);
    } catch {
      // The span is the instrumentation's: ending it must never fail because of this.
    }
    return end.apply(this, args);
  };
}
