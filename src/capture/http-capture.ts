import { CaptureRecord } from './capture-record';
import { ChannelCapture, UNLINKED, type CaptureListener, type CaptureOptions, type SlotHolder } from './channel-capture';
import { HTTP_REQUEST_CREATED_CHANNEL } from './http-request-hook';
import { tapRequestBody, tapResponse } from './http-taps';
import {
  clientRequestUrl,
  type ClientRequestErrorMessage,
  type ClientRequestLike,
  type ClientRequestMessage,
  type ClientResponseMessage,
} from './http-request';

/** What the node:http capture tells its owner, beyond what the undici capture does. No callback may throw. */
export interface HttpCaptureListener extends CaptureListener {
  /**
   * A traced request was first seen after its body was sent (Node < 22 publishes no
   * `http.client.request.created`): its span is rewritten from the response alone.
   */
  onRequestBodyUnseen(): void;
}

const HTTP_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-http';

/**
 * Captures the bodies of node:http client requests to vLLM (openai v4, axios, node-fetch 2, got),
 * whose spans `@opentelemetry/instrumentation-http` makes. That instrumentation starts its span
 * and injects the span's context into the request's headers before the request exists, so a
 * request is paired with its span by that span id (src/capture/span-request-linker.ts) at the
 * first channel message that carries the request: `http.client.request.created` (Node >= 22,
 * from the constructor, before the app can write; on Node 20 the same from `httpRequestHook`
 * if the instrumentation was given it) or `http.client.request.start` (after the request ended,
 * so its body is not seen). The bytes come from own-property taps on that one request and its response
 * (src/capture/http-taps.ts); the streams' flow is never changed.
 */
export class HttpCapture extends ChannelCapture<HttpCaptureListener> {
  // instrumentation-http sets the status at the response's `end`, after the rewrite at its last pushed byte.
  protected override readonly statusSetAfterRewrite = true;

  constructor(options: CaptureOptions, listener: HttpCaptureListener) {
    super(options, listener, HTTP_INSTRUMENTATION_SCOPE);
  }

  protected channels(): Array<[string, (message: unknown) => void]> {
    return [
      ['http.client.request.created', m => this.link((m as ClientRequestMessage).request, true)],
      // The same moment on Node 20, where the instrumentation's requestHook is `httpRequestHook`.
      [HTTP_REQUEST_CREATED_CHANNEL, m => this.link((m as ClientRequestMessage).request, true)],
      ['http.client.request.start', m => this.link((m as ClientRequestMessage).request, false)],
      ['http.client.response.finish', m => this.onResponse(m as ClientResponseMessage)],
      ['http.client.request.error', m => this.onRequestError(m as ClientRequestErrorMessage)],
    ];
  }

  /** Pairs a request to a vLLM endpoint with its waiting span, once; taps its body if it was not written yet. */
  private link(request: ClientRequestLike, beforeBody: boolean): CaptureRecord | undefined {
    const holder = request as unknown as SlotHolder<never>;
    const state = holder[this.slot];
    if (state !== undefined) return state instanceof CaptureRecord ? state : undefined;
    const endpoint = this.endpointFor(request, clientRequestUrl);
    if (endpoint === undefined) return undefined;
    const span = this.linker.takeSpanOf({ headers: request.getHeaders() });
    if (span === undefined) {
      holder[this.slot] = UNLINKED;
      return undefined;
    }
    const record = this.startRecord(request, span, endpoint);
    if (beforeBody) tapRequestBody(request, record, this.listener);
    else this.listener.onRequestBodyUnseen();
    return record;
  }

  /** The response head: published before the response is handed to the app and before any body byte is pushed. */
  private onResponse({ request, response }: ClientResponseMessage): void {
    // On Node < 22 a request that errs out before it ends is first seen here.
    const record = this.link(request, false);
    if (record === undefined || record.finished) return;
    record.statusCode = response.statusCode;
    record.contentType = firstValue(response.headers['content-type']);
    record.contentEncoding = firstValue(response.headers['content-encoding']);
    this.listener.onResponseHead(record);
    tapResponse(request, response, record, this.listener);
  }

  /** Published before the request emits `error`, so before the instrumentation ends the span. */
  private onRequestError({ request, error }: ClientRequestErrorMessage): void {
    const record = this.link(request, false);
    if (record === undefined || record.finished) return;
    record.transportError = {
      // What the instrumentation puts in error.type, so both rewrite paths agree.
      type: String(error?.name || 'Error'),
      message: String(error?.message ?? error),
      aborted: error?.name === 'AbortError' || request.aborted === true,
    };
    this.listener.onCompleted(record);
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

