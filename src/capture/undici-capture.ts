import type { EndpointKind } from '../routing';
import { CaptureRecord } from './capture-record';
import { ChannelCapture, UNLINKED, type CaptureListener, type CaptureOptions, type SlotHolder } from './channel-capture';
import {
  requestUrl,
  type BodyChunkMessage,
  type RequestErrorMessage,
  type ResponseHeadersMessage,
  type UndiciRequest,
} from './undici-request';

/** A traced request between its creation and its first event after the instrumentation's span start. */
interface AwaitingLink {
  readonly awaiting: EndpointKind;
}

const UNDICI_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-undici';
const CONTENT_TYPE = 'content-type';
const CONTENT_ENCODING = 'content-encoding';

/** The Request methods undici calls when a request completes or fails (undici 8 renamed them). */
const COMPLETION_METHODS = ['onComplete', 'onResponseEnd'] as const;
const FAILURE_METHODS = ['onError', 'onResponseError'] as const;

/**
 * Captures the bodies of undici requests to vLLM. A request is paired with its span by the
 * span id the instrumentation propagated into it (src/capture/span-request-linker.ts), at the
 * first event after its creation (`sendHeaders`, or a failure before it). Bytes come from exactly
 * one source per request and direction: the `bodyChunk*` channels where undici publishes them
 * (>= 7.11), otherwise an own-property wrap of `request.onData` / `request.onBodySent`. undici
 * publishes the channel message from inside those methods, so the wrap sees whether the
 * channel already delivered the chunk and stays silent from then on.
 */
export class UndiciCapture extends ChannelCapture {
  constructor(options: CaptureOptions, listener: CaptureListener) {
    super(options, listener, UNDICI_INSTRUMENTATION_SCOPE);
  }

  protected channels(): Array<[string, (message: unknown) => void]> {
    return [
      ['undici:request:create', m => this.onCreate((m as { request: UndiciRequest }).request)],
      ['undici:client:sendHeaders', m => this.resolve((m as { request: UndiciRequest }).request)],
      ['undici:request:headers', m => this.onHeaders(m as ResponseHeadersMessage)],
      ['undici:request:bodyChunkSent', m => this.onChunkSent(m as BodyChunkMessage)],
      ['undici:request:bodyChunkReceived', m => this.onChunkReceived(m as BodyChunkMessage)],
      ['undici:request:trailers', m => this.onDone((m as { request: UndiciRequest }).request, undefined)],
      ['undici:request:error', m => this.onDone((m as RequestErrorMessage).request, (m as RequestErrorMessage).error)],
    ];
  }

  private onCreate(request: UndiciRequest): void {
    const endpoint = this.endpointFor(request, requestUrl);
    if (endpoint === undefined) return;
    // Not linked here: in one subscription order the instrumentation has not started the span yet.
    (request as unknown as SlotHolder<AwaitingLink>)[this.slot] = { awaiting: endpoint };
    this.wrapRequest(request);
  }

  /**
   * The record of a traced request, linking it on the first call after its creation: by then the
   * instrumentation has started its span, if any, and injected the span's context into it.
   */
  private resolve(request: UndiciRequest): CaptureRecord | undefined {
    const holder = request as unknown as SlotHolder<AwaitingLink>;
    const state = holder[this.slot];
    if (state === undefined || state instanceof CaptureRecord) return state;
    if (state === UNLINKED) return undefined;
    const span = this.linker.takeSpanOf(request);
    if (span === undefined) {
      holder[this.slot] = UNLINKED;
      return undefined;
    }
    return this.startRecord(request, span, (state as AwaitingLink).awaiting);
  }

  private wrapRequest(request: UndiciRequest): void {
    const capture = this;
    const methods = request as unknown as Record<string, unknown>;
    // Resolved at the wraps' first call (the request is then linked, or known to have no span) and
    // kept here: the data wrap runs once per chunk, and a slot read per chunk costs more than this.
    let record: CaptureRecord | undefined;
    let resolved = false;
    const linkedRecord = (): CaptureRecord | undefined => {
      if (!resolved) {
        resolved = true;
        record = capture.resolve(request);
      }
      return record;
    };
    const onData = request.onData;
    if (typeof onData === 'function') {
      request.onData = function wrappedOnData(this: UndiciRequest, chunk: Buffer) {
        // The original runs first and unguarded: its return value is back-pressure, its throw is undici's.
        const result = onData.call(this, chunk);
        try {
          const record = linkedRecord();
          if (record !== undefined && !record.responseViaChannel && !record.finished) record.addResponseChunk(chunk);
        } catch (error) {
          capture.listener.onInternalError('onData', error);
        }
        return result;
      };
    }
    const onBodySent = request.onBodySent;
    if (typeof onBodySent === 'function') {
      request.onBodySent = function wrappedOnBodySent(this: UndiciRequest, chunk: Buffer | string) {
        const result = onBodySent.call(this, chunk);
        try {
          const record = linkedRecord();
          if (record !== undefined && !record.requestViaChannel && !record.finished) record.requestBody.append(chunk);
        } catch (error) {
          capture.listener.onInternalError('onBodySent', error);
        }
        return result;
      };
    }
    // Before the original, which publishes `trailers`/`error`: the span is still open here in either subscription order.
    for (const name of COMPLETION_METHODS) {
      const original = methods[name];
      if (typeof original !== 'function') continue;
      methods[name] = function wrappedCompletion(this: unknown, ...args: unknown[]) {
        try {
          capture.onDone(request, undefined);
        } catch (error) {
          capture.listener.onInternalError('completion', error);
        }
        return original.apply(this, args);
      };
    }
    for (const name of FAILURE_METHODS) {
      const original = methods[name];
      if (typeof original !== 'function') continue;
      methods[name] = function wrappedFailure(this: unknown, error: RequestErrorMessage['error'], ...rest: unknown[]) {
        try {
          capture.onDone(request, error);
        } catch (caught) {
          capture.listener.onInternalError('failure', caught);
        }
        return original.call(this, error, ...rest);
      };
    }
  }

  private onHeaders({ request, response }: ResponseHeadersMessage): void {
    const record = this.resolve(request);
    if (record === undefined) return;
    record.statusCode = response.statusCode;
    const headers = response.headers;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      // Only the two names wanted are decoded: the lengths rule out the other headers for free.
      const length = headers[i].length;
      if (length !== CONTENT_TYPE.length && length !== CONTENT_ENCODING.length) continue;
      const name = headers[i].toString().toLowerCase();
      if (name === CONTENT_TYPE) record.contentType = headers[i + 1].toString();
      else if (name === CONTENT_ENCODING) record.contentEncoding = headers[i + 1].toString();
    }
    this.listener.onResponseHead(record);
  }

  private onChunkSent({ request, chunk }: BodyChunkMessage): void {
    const record = this.resolve(request);
    if (record === undefined || record.finished) return;
    record.requestViaChannel = true;
    record.requestBody.append(chunk);
  }

  private onChunkReceived({ request, chunk }: BodyChunkMessage): void {
    const record = this.resolve(request);
    if (record === undefined || record.finished) return;
    record.responseViaChannel = true;
    record.addResponseChunk(chunk);
  }

  /** The request completed (`error` undefined) or failed: its span is rewritten now, once. */
  private onDone(request: UndiciRequest, error: RequestErrorMessage['error'] | undefined): void {
    const record = this.resolve(request);
    if (record === undefined || record.finished) return;
    if (error !== undefined) {
      record.transportError = {
        // Same value the instrumentation puts in error.type, so both rewrite paths agree.
        type: String(error?.code || error?.name || 'Error'),
        message: String(error?.message ?? error),
        aborted: error?.name === 'AbortError' || (error as { code?: unknown })?.code === 20,
      };
    }
    this.listener.onCompleted(record);
  }
}
