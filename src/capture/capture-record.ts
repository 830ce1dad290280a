import { performance } from 'perf_hooks';
import type { Exchange, LiveResponse, TransportError } from '../interpret/exchange';
import type { EndpointKind } from '../routing';
import type { ProcessorSpan } from '../types';
import { BodyBuffer } from './body-buffer';
import { createIncrementalDecoder, type IncrementalDecoder } from './incremental-decoder';

/** Everything captured for one linked request, from `undici:request:create` to its span's end. */
export class CaptureRecord {
  readonly requestBody: BodyBuffer;
  readonly responseBody: BodyBuffer;
  private readonly startedAt = performance.now();
  private firstByteAt: number | undefined;
  statusCode: number | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  transportError: TransportError | undefined;
  /** Set at the response head when the body is to be folded as it arrives instead of kept. */
  liveResponse: LiveResponse | undefined;
  /** Set once a body channel delivered a chunk: from then on the Request wrap stays silent. */
  requestViaChannel = false;
  responseViaChannel = false;
  /** Set when the span was rewritten (or could no longer be); later calls do nothing. */
  finished = false;
  /**
   * Whether the instrumentation sets the span's status after the rewrite (instrumentation-http does
   * at the response's `end`, without vLLM's message): the rewrite's status is then set again at the span's end.
   */
  statusSetAfterRewrite = false;
  /** Undoes `contentEncoding` as the response arrives; made at its first byte (the head is in by then). */
  private decoder: IncrementalDecoder | undefined;
  /** Whether the response bytes were looked at yet: the decoder is chosen once. */
  private responseStarted = false;

  constructor(readonly span: ProcessorSpan, readonly endpoint: EndpointKind, private readonly maxBodyBytes: number) {
    this.requestBody = new BodyBuffer(maxBodyBytes);
    this.responseBody = new BodyBuffer(maxBodyBytes);
  }

  /**
   * Keeps one response body chunk (or hands it to `liveResponse`) and notes when the first one came.
   * A content-encoded body is decoded here, as it arrives, and its decoded bytes count against the cap.
   */
  addResponseChunk(chunk: Uint8Array | string): void {
    if (!this.responseStarted) this.startResponse();
    const decoder = this.decoder;
    if (decoder === undefined) {
      this.takeResponseBytes(chunk);
    } else {
      const pieces = decoder.write(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (let i = 0; i < pieces.length; i++) this.takeResponseBytes(pieces[i]);
    }
  }

  private startResponse(): void {
    this.responseStarted = true;
    this.firstByteAt = performance.now();
    const encoding = this.contentEncoding;
    if (!encoding || encoding.trim().toLowerCase() === 'identity') return;
    // One byte past the cap is decoded, so that a body of exactly the cap is not marked truncated.
    this.decoder = createIncrementalDecoder(encoding, this.maxBodyBytes);
    // Not decodable here (unknown coding): the compressed bytes are kept and the end says why they do not decode.
    if (this.decoder === undefined) this.liveResponse = undefined;
  }

  private takeResponseBytes(chunk: Uint8Array | string): void {
    if (this.liveResponse === undefined) {
      this.responseBody.append(chunk);
    } else {
      // Counted all the same: the cap, and `vllm.capture.truncated`, mean the same on both paths.
      const wasTruncated = this.responseBody.truncated;
      const admitted = this.responseBody.admit(chunk);
      if (admitted !== undefined) this.liveResponse.write(admitted);
      // Past the cap nothing more is folded: what is held is folded now instead of at the span's end.
      if (!wasTruncated && this.responseBody.truncated) this.liveResponse.close();
    }
  }

  /** Which path delivered each body's bytes (`channel`, `wrap` or `none`), for the processor's debug line. */
  get byteSources(): string {
    return `request bytes: ${byteSource(this.requestViaChannel, this.requestBody)}, response bytes: ${byteSource(this.responseViaChannel, this.responseBody)}`;
  }

  /** A plain-data copy of what was captured, for the interpreter. */
  toExchange(): Exchange {
    return {
      endpoint: this.endpoint,
      requestBody: this.requestBody.toBuffer(),
      requestTruncated: this.requestBody.truncated,
      statusCode: this.statusCode,
      contentType: this.contentType,
      // Decoded as it arrived: what is handed over is the decoded body.
      contentEncoding: this.decoder === undefined ? this.contentEncoding : undefined,
      responseDecodeProblem: this.decoder?.problem === undefined ? undefined : `content-encoding ${this.contentEncoding}: ${this.decoder.problem}`,
      responseBody: this.responseBody.toBuffer(),
      liveResponse: this.liveResponse,
      responseTruncated: this.responseBody.truncated,
      // A compressed body is held to the same cap once decoded: a few MiB of gzip can inflate to GiBs.
      maxDecodedBytes: this.maxBodyBytes,
      timeToFirstChunk: this.firstByteAt === undefined ? undefined : (this.firstByteAt - this.startedAt) / 1000,
      transportError: this.transportError,
    };
  }

  /** Drops the captured bytes so a span kept by an exporter does not keep them alive. */
  release(): void {
    this.requestBody.release();
    this.responseBody.release();
    this.liveResponse = undefined;
    this.decoder?.close();
  }
}

function byteSource(viaChannel: boolean, body: BodyBuffer): 'channel' | 'wrap' | 'none' {
  if (viaChannel) return 'channel';
  return body.bytes > 0 ? 'wrap' : 'none';
}
