import type { Attributes } from '@opentelemetry/api';
import { StringDecoder } from 'string_decoder';
import { isEventStream, parseJson } from './body';
import type { EndpointHandler, MappingContext, StreamMapper } from './endpoints/endpoint-handler';
import type { LiveResponse, ProblemLog } from './internal-types';
import { readErrorBody, type ReportedError } from './mappers/error';
import { SseFramer } from './sse';

/**
 * Folds the events of one SSE response body into its attributes, event by event: from the
 * whole text at the span's end, or piece by piece while the body arrives (`LiveStreamFold`).
 */
export class StreamFold {
  private readonly mapper: StreamMapper;
  private readonly framer = new SseFramer((data, eventName) => this.addEvent(data, eventName));
  private streamError: ReportedError | undefined;
  private unparsable = 0;

  constructor(handler: EndpointHandler, private readonly context: MappingContext) {
    this.mapper = handler.createStreamMapper(context);
  }

  /** The fold of a body captured whole. */
  static of(handler: EndpointHandler, context: MappingContext, text: string): StreamFold {
    const fold = new StreamFold(handler, context);
    fold.push(text);
    return fold;
  }

  /** Frames and folds the body's next piece of text (the whole body is one piece). */
  push(text: string): void {
    this.framer.push(text);
  }

  /** Pushes the stream's attributes to `sets`; returns its error event, if it carried one. */
  finish(log: ProblemLog, sets: Attributes[]): ReportedError | undefined {
    const mapped = this.mapper.finish();
    if (this.unparsable + mapped.invalidEvents > 0) log(`${this.unparsable} stream events not JSON, ${mapped.invalidEvents} failed their schema`);
    sets.push(mapped.attributes);
    return this.streamError;
  }

  private addEvent(data: string, eventName: string | undefined): void {
    if (data === '[DONE]' || this.mapper.addText(data, eventName)) return;
    const value = parseJson(data);
    if (value === undefined) {
      this.unparsable++;
      return;
    }
    // Error events are rare; check the cheap shape before asking the schemas.
    if (typeof value === 'object' && value !== null && 'error' in value) {
      const error = readErrorBody(value, this.context.validator);
      if (error !== undefined) {
        this.streamError = error;
        return;
      }
    }
    this.mapper.add(value, eventName, data);
  }
}

/**
 * A stream response folded as its bytes arrive, so that none of them is kept: a 10,000-chunk
 * stream holds its folded answer and one open event's text instead of every chunk, and nothing
 * is concatenated or decoded whole at the end. Only for identity-encoded SSE (`foldsAsItArrives`).
 */
export class LiveStreamFold implements LiveResponse {
  /** Made at the first chunk that ends inside a character; until then each chunk decodes alone. */
  private decoder: StringDecoder | undefined;
  private readonly fold: StreamFold;
  private failed = false;
  private failure: unknown;

  constructor(handler: EndpointHandler, context: MappingContext) {
    this.fold = new StreamFold(handler, context);
  }

  /** Never throws: it runs inside undici's data callback. A throw stops the folding and is reported by `finish`. */
  write(chunk: Buffer): void {
    if (this.failed) return;
    try {
      this.fold.push(this.decode(chunk));
    } catch (error) {
      this.failed = true;
      this.failure = error;
    }
  }

  /**
   * SSE chunks end with a line end, so almost every one is whole characters: decoded alone, as
   * the body would be decoded whole. From the first that ends with a non-ASCII byte on, a
   * StringDecoder carries cut characters over to the next chunk.
   */
  private decode(chunk: Buffer): string {
    if (this.decoder === undefined && chunk.length > 0 && chunk[chunk.length - 1] < 0x80) return chunk.toString('utf8');
    this.decoder ??= new StringDecoder('utf8');
    return this.decoder.write(chunk);
  }

  /** As `StreamFold.finish`; throws what a `write` threw. */
  finish(log: ProblemLog, sets: Attributes[]): ReportedError | undefined {
    if (this.failed) throw this.failure;
    return this.fold.finish(log, sets);
  }
}

/** The response heads whose bodies `LiveStreamFold` can take: SSE, not an HTTP error, no content coding to undo. */
export function foldsAsItArrives(head: { statusCode?: number; contentType?: string; contentEncoding?: string }): boolean {
  const { statusCode, contentType, contentEncoding } = head;
  return (
    statusCode !== undefined &&
    statusCode < 400 &&
    contentType !== undefined &&
    isEventStream(contentType, '') &&
    (!contentEncoding || contentEncoding.trim().toLowerCase() === 'identity')
  );
}
