import * as diagnosticsChannel from 'diagnostics_channel';
import { propagation } from '@opentelemetry/api';
import { endpointForPath, endpointForUrl, isVersionedApiPath, type EndpointKind, type UrlPattern } from '../routing';
import type { ProcessorSpan } from '../types';
import { CaptureRecord } from './capture-record';
import { PROPAGATED_SPAN_ID_HEADERS } from './propagated-span-ids';
import { SpanRequestLinker } from './span-request-linker';

/** What a capture tells its owner. No callback may throw. */
export interface CaptureListener {
  /** The response head of a linked request arrived (status and headers are on the record), before any body byte. */
  onResponseHead(record: CaptureRecord): void;
  /**
   * A linked request completed or failed. Runs from the request's own completion path, before
   * the instrumentation ends the span, where the client has such a path; otherwise from a channel.
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

/** Options of a capture, already validated. */
export interface CaptureOptions {
  pattern: UrlPattern;
  maxBodyBytes: number;
}

/** A diagnostics-channel subscriber. */
export type Subscriber = (message: unknown, name: string | symbol) => void;

/** A traced request that turned out to have no span: nothing is captured for it. */
export const UNLINKED = Object.freeze({ unlinked: true });

/** A request or a linked span, as the holder of a capture's slot. */
export type SlotHolder<State> = Record<symbol, State | CaptureRecord | typeof UNLINKED | undefined>;

/**
 * What the undici and node:http captures share: the channels they listen to, the linker their
 * instrumentation's spans wait in, the slot under which a request and its span carry their
 * state (it lives exactly as long as they do, so an untraced request holds nothing anywhere
 * else; not a WeakMap, whose table every scavenge must sweep; one symbol per capture, so two
 * processors never share a slot), and the records' count.
 */
export abstract class ChannelCapture<Listener extends CaptureListener = CaptureListener> {
  protected readonly slot = Symbol('@traceai/vllm capture record');
  protected readonly linker: SpanRequestLinker;
  private subscriptions: Array<[string, Subscriber]> = [];
  private subscribed = false;
  /** Set once the global propagator was checked for a header that carries a span id. */
  private propagatorChecked = false;
  /** Records linked and not yet finished; returns to zero when every traced span has ended. */
  liveRecords = 0;

  /** `scope`: the instrumentation whose spans this capture pairs with requests. */
  constructor(protected readonly options: CaptureOptions, protected readonly listener: Listener, scope: string) {
    this.linker = new SpanRequestLinker((method, url) => method === 'POST' && endpointForUrl(url) !== undefined, scope);
  }

  /** See `CaptureRecord.statusSetAfterRewrite`. */
  protected readonly statusSetAfterRewrite: boolean = false;

  /** The channels this capture listens to, each with its handler (guarded when subscribed). */
  protected abstract channels(): Array<[string, (message: unknown) => void]>;

  /** Starts listening to the client's diagnostics channels. */
  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    this.subscriptions = this.channels().map(([name, handle]) => [name, this.guard(name, handle)]);
    for (const [name, subscriber] of this.subscriptions) diagnosticsChannel.subscribe(name, subscriber);
  }

  /** Stops listening; requests already linked keep their wraps but record nothing new. */
  unsubscribe(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    for (const [name, subscriber] of this.subscriptions) diagnosticsChannel.unsubscribe(name, subscriber);
  }

  /** Offers a span from `onStart`; the instrumentation's spans to inference paths wait for their request. True when it waits. */
  offerSpan(span: ProcessorSpan): boolean {
    if (!this.subscribed) return false;
    const offer = this.linker.offerSpan(span);
    if (offer === 'claimed-by-another') this.listener.onSpanOfAnotherProcessor();
    else if (offer === 'waiting' && !this.propagatorChecked) this.checkPropagator();
    return offer === 'waiting';
  }

  /** The record of a span, if it is a linked vLLM call. */
  recordOf(span: object): CaptureRecord | undefined {
    const state = (span as SlotHolder<unknown>)[this.slot];
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

  /** Starts the record of a request paired with its span; both carry it from now on. */
  protected startRecord(request: object, span: ProcessorSpan, endpoint: EndpointKind): CaptureRecord {
    const record = new CaptureRecord(span, endpoint, this.options.maxBodyBytes);
    record.statusSetAfterRewrite = this.statusSetAfterRewrite;
    (request as SlotHolder<unknown>)[this.slot] = record;
    (span as unknown as SlotHolder<unknown>)[this.slot] = record;
    this.liveRecords++;
    return record;
  }

  /** The endpoint of a POST to a vLLM server the user wants traced; reports an unknown `/v1/...` path on such a server. */
  protected endpointFor<Request extends { method?: string; path: string }>(request: Request, urlOf: (request: Request) => string): EndpointKind | undefined {
    // Every request of the process comes here: a method compare and a few `endsWith` decide the common "no".
    if (request.method !== 'POST') return undefined;
    const endpoint = endpointForPath(request.path);
    if (endpoint === undefined) {
      // Off the common path: only POSTs that are no inference call get this far.
      if (isVersionedApiPath(request.path)) {
        const full = urlOf(request);
        if (this.options.pattern.matches(full)) this.listener.onUnknownEndpoint(full);
      }
      return undefined;
    }
    return this.options.pattern.matches(urlOf(request)) ? endpoint : undefined;
  }

  /** Without a propagator no request carries its span's id: say so once, since nothing can be traced. */
  private checkPropagator(): void {
    // Checked at the first span rather than at construction: the propagator is often registered later.
    this.propagatorChecked = true;
    const fields = propagation.fields().map(field => field.toLowerCase());
    if (!fields.some(field => PROPAGATED_SPAN_ID_HEADERS.includes(field))) this.listener.onNoPropagator();
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
