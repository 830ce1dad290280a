import * as diagnosticsChannel from 'diagnostics_channel';
import { endpointForPath, isVersionedApiPath, type EndpointKind, type UrlPattern } from '../routing';
import type { ProcessorSpan } from '../types';
import { CaptureRecord } from './capture-record';
import { SpanRequestLinker } from './span-request-linker';
import {
  requestUrl,
  type BodyChunkMessage,
  type RequestErrorMessage,
  type ResponseHeadersMessage,
  type UndiciRequest,
} from './undici-request';

/** What the capture tells its owner. Both callbacks must not throw. */
export interface CaptureListener {
  /** A request to vLLM was paired with its span; body capture has started. */
  onLinked(record: CaptureRecord): void;
  /** The response head of a linked request arrived (status and headers are on the record), before any body byte. */
  onResponseHead(record: CaptureRecord): void;
  /** undici reported the end (trailers) or failure of a linked request. */
  onCompleted(record: CaptureRecord): void;
  /** A subscriber caught an unexpected error; capture of that request may be incomplete. */
  onInternalError(where: string, error: unknown): void;
  /** A POST to a matching server on an API-looking path (`/v1/...`) that no handler knows; it stays HTTP. */
  onUnknownEndpoint(url: string): void;
}

/** Options of the capture, already validated. */
export interface CaptureOptions {
  pattern: UrlPattern;
  maxBodyBytes: number;
}

type Subscriber = (message: unknown, name: string | symbol) => void;

const CONTENT_TYPE = 'content-type';
const CONTENT_ENCODING = 'content-encoding';

/** A linked request or span, as the holder of its capture record. */
type RecordHolder = Record<symbol, CaptureRecord | undefined>;

/**
 * Captures the bodies of undici requests to vLLM. Bytes come from exactly one source per
 * request and direction: the `bodyChunk*` channels where undici publishes them (>= 7.11),
 * otherwise an own-property wrap of `request.onData` / `request.onBodySent`. undici
 * publishes the channel message from inside those methods, so the wrap sees whether the
 * channel already delivered the chunk and stays silent from then on.
 */
export class UndiciCapture {
  /**
   * The property under which a linked span and its request carry their record: it lives exactly
   * as long as they do. Not a WeakMap: its table fills up between collections and every scavenge
   * must sweep it, which cost about as much per call as the rest of a chat call's processing.
   * One symbol per capture, so that two processors never share a slot.
   */
  private readonly slot = Symbol('@traceai/vllm capture record');
  private readonly linker = new SpanRequestLinker((span, request, endpoint) => this.link(span, request, endpoint));
  private readonly subscriptions: Array<[string, Subscriber]>;
  private subscribed = false;
  /** Records linked and not yet finished; returns to zero when every traced span has ended. */
  liveRecords = 0;

  constructor(private readonly options: CaptureOptions, private readonly listener: CaptureListener) {
    this.subscriptions = [
      ['undici:request:create', this.guard('create', m => this.onCreate(m as { request: UndiciRequest }))],
      ['undici:request:headers', this.guard('headers', m => this.onHeaders(m as ResponseHeadersMessage))],
      ['undici:request:bodyChunkSent', this.guard('bodyChunkSent', m => this.onChunkSent(m as BodyChunkMessage))],
      ['undici:request:bodyChunkReceived', this.guard('bodyChunkReceived', m => this.onChunkReceived(m as BodyChunkMessage))],
      ['undici:request:trailers', this.guard('trailers', m => this.onDone(m as { request: UndiciRequest }))],
      ['undici:request:error', this.guard('error', m => this.onError(m as RequestErrorMessage))],
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

  /** Offers a span from `onStart`; only undici instrumentation spans are paired. */
  offerSpan(span: ProcessorSpan): void {
    if (this.subscribed) this.linker.offerSpan(span);
  }

  /** The record of a span, if it is a linked vLLM call. */
  recordOf(span: object): CaptureRecord | undefined {
    return this.recordOn(span);
  }

  /** Marks a record finished and drops its bytes. */
  finish(record: CaptureRecord): void {
    if (record.finished) return;
    record.finished = true;
    record.release();
    this.liveRecords--;
  }

  private onCreate({ request }: { request: UndiciRequest }): void {
    this.linker.offerRequest(request, this.endpointFor(request));
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

  private link(span: ProcessorSpan, request: UndiciRequest, endpoint: EndpointKind): void {
    const record = new CaptureRecord(span, endpoint, this.options.maxBodyBytes);
    this.attach(span, record);
    this.attach(request, record);
    this.liveRecords++;
    this.wrapRequest(request, record);
    this.listener.onLinked(record);
  }

  private attach(holder: object, record: CaptureRecord): void {
    (holder as RecordHolder)[this.slot] = record;
  }

  private recordOn(holder: object): CaptureRecord | undefined {
    return (holder as RecordHolder)[this.slot];
  }

  private wrapRequest(request: UndiciRequest, record: CaptureRecord): void {
    const onData = request.onData;
    if (typeof onData === 'function') {
      request.onData = function wrappedOnData(this: UndiciRequest, chunk: Buffer) {
        // The original runs first and unguarded: its return value is back-pressure, its throw is undici's.
        const result = onData.call(this, chunk);
        if (!record.responseViaChannel && !record.finished) record.addResponseChunk(chunk);
        return result;
      };
    }
    const onBodySent = request.onBodySent;
    if (typeof onBodySent === 'function') {
      request.onBodySent = function wrappedOnBodySent(this: UndiciRequest, chunk: Buffer | string) {
        const result = onBodySent.call(this, chunk);
        if (!record.requestViaChannel && !record.finished) record.requestBody.append(chunk);
        return result;
      };
    }
  }

  private onHeaders({ request, response }: ResponseHeadersMessage): void {
    const record = this.recordOn(request);
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
    const record = this.recordOn(request);
    if (record === undefined || record.finished) return;
    record.requestViaChannel = true;
    record.requestBody.append(chunk);
  }

  private onChunkReceived({ request, chunk }: BodyChunkMessage): void {
    const record = this.recordOn(request);
    if (record === undefined || record.finished) return;
    record.responseViaChannel = true;
    record.addResponseChunk(chunk);
  }

  private onDone({ request }: { request: UndiciRequest }): void {
    const record = this.recordOn(request);
    if (record !== undefined && !record.finished) this.listener.onCompleted(record);
  }

  private onError({ request, error }: RequestErrorMessage): void {
    const record = this.recordOn(request);
    if (record === undefined || record.finished) return;
    const aborted = error?.name === 'AbortError' || (error as { code?: unknown })?.code === 20;
    record.transportError = {
      // Same value the instrumentation puts in error.type, so both rewrite orders agree.
      type: String(error?.code || error?.name || 'Error'),
      message: String(error?.message ?? error),
      aborted,
    };
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
