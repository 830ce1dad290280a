import type { Attributes } from '@opentelemetry/api';
import { performance } from 'perf_hooks';
import { StringDecoder } from 'string_decoder';
import { isEventStream, opensAsJson, parseJson } from './body';
import { isSupportedCoding } from '../capture/incremental-decoder';
import type { EndpointHandler, MappingContext, StreamMapper } from '../endpoints/endpoint-handler';
import type { LiveResponse, ProblemLog } from './exchange';
import { readErrorBody, type ReportedError } from '../mappers/error';
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
 * Most bytes of a stream held before they are folded. Folding a batch of events in one go costs
 * less CPU in a client than folding each event as its chunk arrives (the folding code runs warm
 * instead of after the application's own work on every chunk), and the batch bounds what is held.
 */
export const FOLD_BATCH_BYTES = 64 * 1024;

/** Most chunk intervals a stream keeps for `gen_ai.client.operation.time_per_output_chunk` (8 bytes each): later ones are not timed. */
export const MAX_CHUNK_INTERVALS = 4096;

/**
 * A stream response folded while its bytes arrive, a batch at a time, so that at most a batch
 * of it is held: a 10,000-chunk stream holds its folded answer, under 64 KiB of chunks and one
 * open event's text instead of every chunk. For SSE responses (`foldsAsItArrives`), decoded first
 * when compressed (CaptureRecord). A body labelled SSE that opens like JSON is kept instead
 * (`wholeBody`), up to the cap, to be read whole as what it is.
 */
export class LiveStreamFold implements LiveResponse {
  /** Chunks not folded yet (no copies: undici hands every chunk to the application as well, never reusing it). */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  /** Made at the first batch that ends inside a character; until then each batch decodes alone. */
  private decoder: StringDecoder | undefined;
  /** Made at the first batch, so that a response head costs nothing until there is something to fold. */
  private fold: StreamFold | undefined;
  private failed = false;
  private failure: unknown;
  /** Until the first byte that is not white space: whether the body is an event stream is not known yet. */
  private sniffing = true;
  /** Set when the body opened like JSON: its chunks, kept whole instead of folded. */
  private kept: Buffer[] | undefined;
  /** When chunks are timed: seconds between each chunk and the one before, and when the last one came (ms). */
  private readonly intervals: number[] | undefined;
  private lastChunkAt: number | undefined;

  /** `maxBatchBytes`: fold once this many bytes are held (tests fold every chunk with 0); `timeChunks`: note each chunk's arrival (metrics on). */
  constructor(
    private readonly handler: EndpointHandler,
    private readonly context: MappingContext,
    private readonly maxBatchBytes = FOLD_BATCH_BYTES,
    timeChunks = false,
  ) {
    if (timeChunks) this.intervals = [];
  }

  /** Seconds between each chunk and the one before (the first `MAX_CHUNK_INTERVALS`); undefined when chunks are not timed. */
  chunkIntervals(): readonly number[] | undefined {
    return this.kept === undefined ? this.intervals : undefined;
  }

  /** Never throws: it runs inside undici's data callback. A throw stops the folding and is reported by `finish`. */
  write(chunk: Buffer): void {
    if (this.intervals !== undefined) this.timeChunk(this.intervals);
    if (this.failed) return;
    if (this.sniffing) this.sniff(chunk);
    if (this.kept !== undefined) {
      this.kept.push(chunk);
      return;
    }
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= this.maxBatchBytes) this.foldBatch();
  }

  /** No more bytes will come (the cap is reached): folds what is held now rather than at the span's end. */
  close(): void {
    if (!this.failed && this.batch.length > 0) this.foldBatch();
  }

  /** The body's bytes when it opened like JSON (a mislabelled non-stream response), else undefined. */
  wholeBody(): Buffer | undefined {
    return this.kept === undefined ? undefined : Buffer.concat(this.kept);
  }

  /** As `StreamFold.finish`, after folding what is still held; throws what folding threw. */
  finish(log: ProblemLog, sets: Attributes[]): ReportedError | undefined {
    this.close();
    if (this.failed) throw this.failure;
    return this.foldOrNew().finish(log, sets);
  }

  private timeChunk(intervals: number[]): void {
    const now = performance.now();
    if (this.lastChunkAt !== undefined && intervals.length < MAX_CHUNK_INTERVALS) intervals.push((now - this.lastChunkAt) / 1000);
    this.lastChunkAt = now;
  }

  private foldBatch(): void {
    const batch = this.batch;
    const batchBytes = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    try {
      this.foldOrNew().push(this.decode(batch.length === 1 ? batch[0] : Buffer.concat(batch, batchBytes)));
    } catch (error) {
      this.failed = true;
      this.failure = error;
    }
  }

  /** Looks at the body's first bytes that are not white space (nor a BOM): `{` or `[` opens JSON, not events. */
  private sniff(chunk: Buffer): void {
    const verdict = opensAsJson(chunk);
    if (verdict === undefined) return;
    this.sniffing = false;
    if (verdict) this.kept = [];
  }

  private foldOrNew(): StreamFold {
    return (this.fold ??= new StreamFold(this.handler, this.context));
  }

  /**
   * SSE chunks end with a line end, so almost every batch is whole characters: decoded alone, as
   * the body would be decoded whole. From the first that ends with a non-ASCII byte on, a
   * StringDecoder carries cut characters over to the next batch.
   */
  private decode(bytes: Buffer): string {
    if (this.decoder === undefined && (bytes.length === 0 || bytes[bytes.length - 1] < 0x80)) return bytes.toString('utf8');
    this.decoder ??= new StringDecoder('utf8');
    return this.decoder.write(bytes);
  }
}

/**
 * The response heads whose bodies `LiveStreamFold` can take: labelled SSE, not an HTTP error, and
 * either no content coding or only codings that CaptureRecord undoes as the bytes arrive.
 */
export function foldsAsItArrives(head: { statusCode?: number; contentType?: string; contentEncoding?: string }): boolean {
  const { statusCode, contentType, contentEncoding } = head;
  return (
    statusCode !== undefined &&
    statusCode < 400 &&
    contentType !== undefined &&
    isEventStream(contentType, '') &&
    (!contentEncoding || contentEncoding.toLowerCase().split(',').every(coding => isSupportedCoding(coding.trim())))
  );
}
