// What a body that kept nothing (a stream folded as it arrived, an empty body) hands over; it has nothing to change.
const NO_BYTES = Buffer.alloc(0);

/** The bytes of one request or response body, kept up to a cap. */
export class BodyBuffer {
  private chunks: Buffer[] = [];
  /** Bytes admitted under the cap so far (never more than the cap). */
  bytes = 0;
  /** True once a byte had to be dropped because of the cap. */
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  /** Keeps the chunk, or the part of it that still fits under the cap. */
  append(chunk: Uint8Array | string): void {
    const admitted = this.admit(chunk);
    // undici hands every chunk to the application as well, so it is never reused: no copy needed.
    if (admitted !== undefined) this.chunks.push(admitted);
  }

  /** Counts the chunk against the cap without keeping it; returns the part that fits, if any. */
  admit(chunk: Uint8Array | string): Buffer | undefined {
    if (this.truncated) return undefined;
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const room = this.maxBytes - this.bytes;
    if (buffer.length > room) {
      this.truncated = true;
      if (room <= 0) return undefined;
      this.bytes += room;
      return buffer.subarray(0, room);
    }
    this.bytes += buffer.length;
    return buffer;
  }

  /** All kept bytes as one Buffer (no copy when there is a single chunk, none made when there is none). */
  toBuffer(): Buffer {
    if (this.chunks.length === 0) return NO_BYTES;
    if (this.chunks.length === 1) return this.chunks[0];
    const whole = Buffer.concat(this.chunks, this.bytes);
    this.chunks = [whole];
    return whole;
  }

  /** Drops the kept bytes; the counters stay for reporting. */
  release(): void {
    this.chunks = [];
  }
}
