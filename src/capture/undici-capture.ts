import * as diagnosticsChannel from 'diagnostics_channel';
import { propagation } from '@opentelemetry/api';
import { endpointForPath, isVersionedApiPath, type EndpointKind, type UrlPattern } from '../routing';
import type { ProcessorSpan } from '../types';
import { CaptureRecord } from './capture-record';
import { PROPAGATED_SPAN_ID_HEADERS } from './propagated-span-ids';
import { SpanRequestLinker } from './span-request-linker';
import {
  requestUrl,
  type BodyChunkMessage,
  type RequestErrorMessage,
  type ResponseHeadersMessage,
  type UndiciRequest,
} from './undici-request';

/** What the capture tells its owner. No callback may throw. */
export interface CaptureListener {
  /** The response head of a linked request arrived (status and headers are on the record), before any body byte. */
  onResponseHead(record: CaptureRecord): void;
  /**
   * A linked request completed or failed. Runs from the request's own completion path, before
   * undici publishes `trailers`/`error` (so before the instrumentation ends the span), where
   * undici has that path; otherwise from the channel.
   */
  onCompleted(record: CaptureRecord): void;
  /** A subscriber caught an unexpected error; capture of that request may be incomplete. */
  onInternalError(where: string, error: unknown): void;
  /** A POST to a matching server on an API-looking path (`/v1/...`) that no handler knows; it stays HTTP. */
  onUnknownEndpoint(url: string): void;
  /** A span to a vLLM endpoint was already taken by another VLLMSpanProcessor (the first in the list wins). */
  onSpanOfAnotherProcessor(): void;
  /** No global propagator injects a trace context, so no span can be paired with its request. */
  onNoPropagator(): void;
}

/** Options of the capture, already validated. */
export interface CaptureOptions {
  pattern: UrlPattern;
  maxBodyBytes: number;
}

type Subscriber = (message: unknown, name: string | symbol) => void;

const CONTENT_TYPE = 'content-type';
const CONTENT_ENCODING = 'content-encoding';

/** A traced request between its creation and its first event after the instrumentation's span start. */
interface AwaitingLink {
  readonly awaiting: EndpointKind;
}

/** A traced request that turned out to have no span: nothing is captured for it. */
const UNLINKED = Object.freeze({ unlinked: true });

/** What a request (or a linked span) carries under the capture's slot. */
type SlotState = CaptureRecord | AwaitingLink | typeof UNLINKED;

/** A linked request or span, as the holder of its slot. */
type SlotHolder = Record<symbol, SlotState | undefined>;

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
export class UndiciCapture {
  /**
   * The property under which a traced request and its linked span carry their state: it lives
   * exactly as long as they do, so a request that got no span holds nothing anywhere else.
   * Not a WeakMap: its table fills up between collections and every scavenge must sweep it.
   * One symbol per capture, so that two processors never share a slot.
   */
  private readonly slot = Symbol('@traceai/vllm capture record');
  private readonly linker = new SpanRequestLinker((method, url) => method === 'POST' && endpointForPath(pathOf(url)) !== undefined);
  private readonly subscriptions: Array<[string, Subscriber]>;
  private subscribed = false;
  /** Set once the global propagator was seen to inject a header that carries a span id. */
  private propagatorSeen = false;
  /** Records linked and not yet finished; returns to zero when every traced span has ended. */
  liveRecords = 0;

  constructor(private readonly options: CaptureOptions, private readonly listener: CaptureListener) {
    this.subscriptions = [
      ['undici:request:create', this.guard('create', m => this.onCreate(m as { request: UndiciRequest }))],
      ['undici:client:sendHeaders', this.guard('sendHeaders', m => this.resolve((m as { request: UndiciRequest }).request))],
      ['undici:request:headers', this.guard('headers', m => this.onHeaders(m as ResponseHeadersMessage))],
      ['undici:request:bodyChunkSent', this.guard('bodyChunkSent', m => this.onChunkSent(m as BodyChunkMessage))],
      ['undici:request:bodyChunkReceived', this.guard('bodyChunkReceived', m => this.onChunkReceived(m as BodyChunkMessage))],
      ['undici:request:trailers', this.guard('trailers', m => this.onDone((m as { request: UndiciRequest }).request, undefined))],
      ['undici:request:error', this.guard('error', m => this.onDone((m as RequestErrorMessage).request, (m as RequestErrorMessage).error))],
    ];
  }

  /** Starts listening to undici's diagnostics channels. */
  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    for (const [name, subscriber] of this.subscriptions) diagnosticsChannel.subscribe(name, subscriber);
  }

  /** Stops listening; requests already linked keep their wraps but record nothing new. */
  unsubscribe(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    for (const [name, subscriber] of this.subscriptions) diagnosticsChannel.unsubscribe(name, subscriber);
  }

  /** Offers a span from `onStart`; undici instrumentation spans to inference paths wait for their request. */
  offerSpan(span: ProcessorSpan): void {
    if (!this.subscribed) return;
    const offer = this.linker.offerSpan(span);
    if (offer === 'claimed-by-another') this.listener.onSpanOfAnotherProcessor();
    else if (offer === 'waiting' && !this.propagatorSeen) this.checkPropagator();
  }

  /** The record of a span, if it is a linked vLLM call. */
  recordOf(span: object): CaptureRecord | undefined {
    const state = (span as SlotHolder)[this.slot];
    return state instanceof CaptureRecord ? state : undefined;
  }

  /** A span ended: it stops waiting for a request (it had none, or one that was not traced). */
  forgetSpan(span: ProcessorSpan): void {
    this.linker.forget(span);
  }

  /** Marks a record finished and drops its bytes. */
  finish(record: CaptureRecord): void {
    if (record.finished) return;
    record.finished = true;
    record.release();
    this.liveRecords--;
  }

  private onCreate({ request }: { request: UndiciRequest }): void {
    const endpoint = this.endpointFor(request);
    if (endpoint === undefined) return;
    // Not linked here: in one subscription order the instrumentation has not started the span yet.
    (request as unknown as SlotHolder)[this.slot] = { awaiting: endpoint };
    this.wrapRequest(request);
  }

  /**
   * The record of a traced request, linking it on the first call after its creation: by then the
   * instrumentation has started its span, if any, and injected the span's context into it.
   */
  private resolve(request: UndiciRequest): CaptureRecord | undefined {
    const holder = request as unknown as SlotHolder;
    const state = holder[this.slot];
    if (state === undefined || state instanceof CaptureRecord) return state;
    if (state === UNLINKED) return undefined;
    const span = this.linker.takeSpanOf(request);
    if (span === undefined) {
      holder[this.slot] = UNLINKED;
      return undefined;
    }
    const record = new CaptureRecord(span, (state as AwaitingLink).awaiting, this.options.maxBodyBytes);
    holder[this.slot] = record;
    (span as unknown as SlotHolder)[this.slot] = record;
    this.liveRecords++;
    return record;
  }

  private endpointFor(request: UndiciRequest): EndpointKind | undefined {
    if (request.method !== 'POST') return undefined;
    const endpoint = endpointForPath(request.path);
    if (endpoint === undefined) {
      // Off the common path: only POSTs that are no inference call get this far.
      if (isVersionedApiPath(request.path)) {
        const url = requestUrl(request);
        if (this.options.pattern.matches(url)) this.listener.onUnknownEndpoint(url);
      }
      return undefined;
    }
    if (!this.options.pattern.matches(requestUrl(request))) return undefined;
    return endpoint;
  }

  /** Without a propagator no request carries its span's id: say so once, since nothing can be traced. */
  private checkPropagator(): void {
    // Checked at the first span rather than at construction: the propagator is often registered later.
    this.propagatorSeen = true;
    const fields = propagation.fields().map(field => field.toLowerCase());
    if (!fields.some(field => PROPAGATED_SPAN_ID_HEADERS.includes(field))) this.listener.onNoPropagator();
  }

  private wrapRequest(request: UndiciRequest): void {
    const capture = this;
    const methods = request as unknown as Record<string, unknown>;
    const onData = request.onData;
    if (typeof onData === 'function') {
      request.onData = function wrappedOnData(this: UndiciRequest, chunk: Buffer) {
        // The original runs first and unguarded: its return value is back-pressure, its throw is undici's.
        const result = onData.call(this, chunk);
        try {
          const record = capture.resolve(request);
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
          const record = capture.resolve(request);
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

  /** A throw inside a diagnostics-channel subscriber would reach the application; never let it. */
  private guard(where: string, handle: (message: unknown) => void): Subscriber {
    return message => {
      try {
        handle(message);
      } catch (error) {
        this.listener.onInternalError(where, error);
      }
    };
  }
}

/** The path of a full URL (`url.full`), query included. */
function pathOf(url: string): string {
  const scheme = url.indexOf('://');
  const slash = url.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  return slash === -1 ? '/' : url.slice(slash);
}
