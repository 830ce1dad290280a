import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_REQUEST_METHOD_ORIGINAL, ATTR_URL_FULL } from '../semconv-http';
import type { EndpointKind } from '../routing';
import type { ProcessorSpan } from '../types';
import { requestUrl, type UndiciRequest } from './undici-request';

const UNDICI_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-undici';

/**
 * Pairs the undici instrumentation's span with the undici request it is for, without
 * any hook in the user's instrumentation config. Both arrive inside one synchronous
 * `undici:request:create` dispatch: the instrumentation's subscriber starts the span
 * (so `onStart` runs) and this package's subscriber sees the request, in whichever
 * order they subscribed. Whichever comes first waits in a one-slot mailbox; the second
 * pairs with it when method and URL agree, so a stale entry can never be paired.
 */
export class SpanRequestLinker {
  private waitingSpan: ProcessorSpan | undefined;
  private waitingRequest: { request: UndiciRequest; endpoint: EndpointKind } | undefined;

  constructor(private readonly link: (span: ProcessorSpan, request: UndiciRequest, endpoint: EndpointKind) => void) {}

  /** From `onStart`: any span; only the undici instrumentation's are considered. */
  offerSpan(span: ProcessorSpan): void {
    if (scopeName(span) !== UNDICI_INSTRUMENTATION_SCOPE) return;
    const waiting = this.waitingRequest;
    if (waiting !== undefined) {
      this.waitingRequest = undefined;
      if (describes(span, waiting.request)) return this.link(span, waiting.request, waiting.endpoint);
    }
    this.waitingSpan = span;
  }

  /** From `undici:request:create`: every request, with its endpoint when it is to be traced. */
  offerRequest(request: UndiciRequest, endpoint: EndpointKind | undefined): void {
    const waiting = this.waitingSpan;
    this.waitingSpan = undefined;
    this.waitingRequest = undefined;
    if (endpoint === undefined) return;
    if (waiting !== undefined && !waiting.ended && describes(waiting, request)) return this.link(waiting, request, endpoint);
    this.waitingRequest = { request, endpoint };
  }
}

function scopeName(span: ProcessorSpan): string | undefined {
  return (span.instrumentationScope ?? span.instrumentationLibrary)?.name;
}

/** The instrumentation sets `url.full` to `new URL(path, origin)`, which may re-encode the path. */
function describes(span: ProcessorSpan, request: UndiciRequest): boolean {
  const method = span.attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] ?? span.attributes[ATTR_HTTP_REQUEST_METHOD];
  if (method !== undefined && method !== request.method && method !== '_OTHER') return false;
  const spanUrl = span.attributes[ATTR_URL_FULL];
  if (typeof spanUrl !== 'string') return false;
  const url = requestUrl(request);
  if (spanUrl === url) return true;
  try {
    return spanUrl === new URL(request.path, request.origin).toString();
  } catch {
    return false;
  }
}
