import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { ReportedError } from '../mappers/error';
import type { EndpointKind } from '../routing';

/** Receives one line per problem found in a body; the processor sends them to `diag.debug`. */
export type ProblemLog = (problem: string) => void;

/** What one finished HTTP exchange with vLLM left behind: its bytes, or for a stream folded as it arrived, the fold. */
export interface Exchange {
  endpoint: EndpointKind;
  /** Request body bytes as sent (up to the cap). */
  requestBody: Buffer;
  requestTruncated: boolean;
  /** HTTP status, absent when the connection failed before the response head. */
  statusCode?: number;
  contentType?: string;
  contentEncoding?: string;
  /** Response body bytes as received, still content-encoded (up to the cap); empty when `liveResponse` took them. */
  responseBody: Buffer;
  /** The response body, folded while it arrived instead of kept (SSE only, src/interpret/stream-fold.ts). */
  liveResponse?: LiveResponse;
  responseTruncated: boolean;
  /** Why the response stopped decoding as it arrived (corrupt compressed bytes), if it did. */
  responseDecodeProblem?: string;
  /** Most bytes a content-encoded response may decode to (the capture cap); absent: no bound. */
  maxDecodedBytes?: number;
  /** Seconds from the request start to the first response body byte. */
  timeToFirstChunk?: number;
  /** Set when undici reported an error (connection reset, abort) instead of the trailers. */
  transportError?: TransportError;
}

/** A response body taken piece by piece as it arrives (up to the cap), mapped at the end. */
export interface LiveResponse {
  /** The body's next bytes. Never throws. */
  write(chunk: Buffer): void;
  /** No more bytes will be written before `finish` (the cap is reached). Never throws. */
  close(): void;
  /** The bytes kept instead of folded when the body turned out not to be an event stream (JSON labelled SSE); else undefined. */
  wholeBody(): Buffer | undefined;
  /** Pushes the body's attributes to `sets`; returns the error the body reported, if any. May throw. */
  finish(log: ProblemLog, sets: Attributes[]): ReportedError | undefined;
  /** Seconds between each chunk and the one before, when chunks were timed (metrics on); else undefined. */
  chunkIntervals?(): readonly number[] | undefined;
}

/** An error undici reported for the request. */
export interface TransportError {
  /** `error.type` value, as the undici instrumentation computes it. */
  type: string;
  message: string;
  /** A client abort: the span keeps what arrived and no error status. */
  aborted: boolean;
}

/** The change to make to the HTTP span so it becomes an LLM span. */
export interface SpanRewrite {
  readonly name: string;
  /** What every span of the endpoint carries (kind, provider, operation): set when the span is linked. */
  readonly startAttributes: Attributes;
  /**
   * What the rewrite adds, as the mappers returned it, to be set in order (a key in a later set
   * overrides an earlier one). Not merged: merging 30-odd keys into one object turns it into a
   * V8 dictionary and costs a copy per call.
   */
  readonly attributeSets: readonly Attributes[];
  /** The start attributes and all sets merged into one object, built on each read (tests, metrics). */
  readonly attributes: Attributes;
  readonly status?: SpanStatus;
}
