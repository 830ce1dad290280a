import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_REQUEST_METHOD_ORIGINAL, ATTR_URL_FULL } from './semconv-http';
import type { ProcessorSpan } from '../types';
import { findPropagatedSpanId } from './propagated-span-ids';
import type { UndiciRequest } from './undici-request';

const UNDICI_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-undici';
/** `url.full` / `http.request.method` before the HTTP semantic conventions went stable (instrumentation-http < 0.200 by default). */
const ATTR_HTTP_URL_OLD = 'http.url';
const ATTR_HTTP_METHOD_OLD = 'http.method';

/**
 * Claimed by the first processor that waits for a span, so that two processors on one provider
 * never both rewrite it (the first in `spanProcessors` wins). `Symbol.for`: two copies of this
 * package (its CommonJS and ESM builds, or two versions) see the same claim.
 */
const CLAIM = Symbol.for('@traceai/vllm.claimed-span');

/** Whether a VLLMSpanProcessor already took this span from `onStart` (so no other may wait for it). */
export function isClaimedSpan(span: object): boolean {
  return (span as Record<symbol, unknown>)[CLAIM] !== undefined;
}

/** Most spans waiting at once; past it the oldest is forgotten (a span that never ends must not grow memory). */
const MAX_WAITING_SPANS = 10_000;

/** How a span offered from `onStart` was taken. */
export type SpanOffer = 'waiting' | 'ignored' | 'claimed-by-another';

/**
 * Pairs the undici instrumentation's span with the undici request it is for, exactly: the
 * instrumentation injects the span's context into that request's headers, so a waiting span
 * is found by the span id the request carries. A request whose span was not recorded
 * (sampler, `ignoreRequestHook`, `requireParentforSpans`) carries no id, or one no processor
 * saw, and is paired with nothing; nothing is held for it. Spans wait from `onStart` until
 * their request claims them or they end.
 */
export class SpanRequestLinker {
  private readonly waiting = new Map<string, ProcessorSpan>();

  /**
   * Whether a span from `onStart` might be a call to trace: a span of the instrumentation named
   * `scope` (undici's by default; `@opentelemetry/instrumentation-http` for node:http) to a URL `isTraced` accepts.
   */
  constructor(private readonly isTraced: (method: string, url: string) => boolean, private readonly scope = UNDICI_INSTRUMENTATION_SCOPE) {}

  /** From `onStart`: any span; only the scope's spans to traced URLs wait. */
  offerSpan(span: ProcessorSpan): SpanOffer {
    if (scopeName(span) !== this.scope) return 'ignored';
    const url = span.attributes[ATTR_URL_FULL] ?? span.attributes[ATTR_HTTP_URL_OLD];
    const method = span.attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] ?? span.attributes[ATTR_HTTP_REQUEST_METHOD] ?? span.attributes[ATTR_HTTP_METHOD_OLD];
    if (typeof url !== 'string' || !this.isTraced(typeof method === 'string' ? method : 'POST', url)) return 'ignored';
    const holder = span as unknown as Record<symbol, unknown>;
    if (holder[CLAIM] !== undefined && holder[CLAIM] !== this) return 'claimed-by-another';
    holder[CLAIM] = this;
    if (this.waiting.size >= MAX_WAITING_SPANS) this.waiting.delete(this.waiting.keys().next().value as string);
    this.waiting.set(span.spanContext().spanId, span);
    return 'waiting';
  }

  /** The waiting span whose id the request carries, taken out of the waiting set; undefined if none. */
  takeSpanOf(request: Pick<UndiciRequest, 'headers'>): ProcessorSpan | undefined {
    if (this.waiting.size === 0) return undefined;
    let found: ProcessorSpan | undefined;
    findPropagatedSpanId(request.headers, spanId => {
      found = this.waiting.get(spanId);
      if (found !== undefined) this.waiting.delete(spanId);
      return found !== undefined;
    });
    return found;
  }

  /** A span ended: it no longer waits. */
  forget(span: ProcessorSpan): void {
    if (this.waiting.size > 0) this.waiting.delete(span.spanContext().spanId);
  }
}

function scopeName(span: ProcessorSpan): string | undefined {
  return (span.instrumentationScope ?? span.instrumentationLibrary)?.name;
}
