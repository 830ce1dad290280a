import * as zlib from 'zlib';

/**
 * Undoes a response's `content-encoding` while its chunks arrive, synchronously, so that a
 * compressed body is capped, framed and folded like a plain one instead of being kept whole
 * and inflated at the span's end.
 *
 * Node has no public synchronous streaming decoder: `zlib.gunzipSync` and friends need the whole
 * input, the stream classes answer on the thread pool (after the span has ended), and the
 * synchronous `_processChunk` closes its handle after one call. So each stage drives the native
 * handle of a zlib stream object the way Node's own `*Sync` functions do (`handle.writeSync`, the
 * result in `_writeState`), keeping the handle open between chunks. Checked on Node 20, 22 and 24;
 * where the handle is not found, `createIncrementalDecoder` answers undefined and the caller keeps
 * the compressed bytes as before.
 */
export interface IncrementalDecoder {
  /** Decodes the next compressed chunk; returns its decoded bytes (none once done). Never throws. */
  write(chunk: Buffer): Buffer[];
  /** Why decoding stopped early (corrupt input), if it did. */
  readonly problem: string | undefined;
  /** Releases the native handles; later writes return nothing. */
  close(): void;
}

/** The native handle behind a zlib stream object, as `lib/zlib.js` (processChunkSync) drives it. */
interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string, errno: number) => void;
  close(): void;
}

interface ZlibInternals {
  _handle?: NativeHandle | null;
  _writeState?: Uint32Array;
}

/** Output slab size: the decoded pieces are views into slabs of this size, as Node's zlib makes them. */
const SLAB_BYTES = 16 * 1024;

/**
 * A decoder for `contentEncoding` (codings applied in order, undone in reverse), producing at most
 * `maxOutputBytes + 1` decoded bytes in all (one past the cap, so the caller sees the cap was passed).
 * Undefined for an unknown coding or where Node's zlib internals are not as expected.
 */
export function createIncrementalDecoder(contentEncoding: string, maxOutputBytes: number): IncrementalDecoder | undefined {
  const codings = contentEncoding.toLowerCase().split(',').map(coding => coding.trim()).filter(coding => coding !== '' && coding !== 'identity');
  if (codings.length === 0 || !codings.every(isSupportedCoding)) return undefined;
  try {
    const stages = codings.reverse().map(coding => new Stage(coding));
    if (!stages.every(stage => stage.usable)) {
      for (const stage of stages) stage.close();
      return undefined;
    }
    return new Pipeline(stages, maxOutputBytes + 1);
  } catch {
    return undefined;
  }
}

/** True for the codings `createIncrementalDecoder` undoes (the same as `decodeContent`). */
export function isSupportedCoding(coding: string): boolean {
  return coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate' || coding === 'br' || coding === 'identity';
}

class Pipeline implements IncrementalDecoder {
  private produced = 0;
  private done = false;
  problem: string | undefined;

  constructor(private readonly stages: Stage[], private readonly maxOutput: number) {}

  write(chunk: Buffer): Buffer[] {
    if (this.done) return [];
    let pieces = [chunk];
    for (let i = 0; i < this.stages.length; i++) {
      const stage = this.stages[i];
      // Only the last stage's output counts against the cap; inner stages are bounded by it too.
      const next: Buffer[] = [];
      for (const piece of pieces) stage.write(piece, this.maxOutput - this.produced, next);
      if (stage.problem !== undefined) {
        this.problem = stage.problem;
        this.close();
        if (i < this.stages.length - 1) return [];
      }
      pieces = next;
    }
    for (const piece of pieces) this.produced += piece.length;
    if (this.produced >= this.maxOutput) this.close();
    return pieces;
  }

  close(): void {
    this.done = true;
    for (const stage of this.stages) stage.close();
  }
}

/** One coding undone by one native handle kept open across chunks. */
class Stage {
  private engine: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | undefined;
  private handle: NativeHandle | undefined;
  private state: Uint32Array | undefined;
  private slab = Buffer.allocUnsafe(0);
  private slabOffset = 0;
  /** `deflate` is zlib-wrapped or raw (some servers, accepted by fetch): told by its first two bytes. */
  private pendingHeader: Buffer | undefined;
  problem: string | undefined;

  constructor(private readonly coding: string) {
    if (coding !== 'deflate') this.open(coding === 'br' ? zlib.createBrotliDecompress() : zlib.createGunzip());
  }

  /** False when Node's internals are not what this relies on. */
  get usable(): boolean {
    return this.coding === 'deflate' || this.handle !== undefined;
  }

  /** Decodes `input`, pushing at most `room` bytes of output to `out`. */
  write(input: Buffer, room: number, out: Buffer[]): void {
    if (this.problem !== undefined || room <= 0 || input.length === 0) return;
    if (this.coding === 'deflate' && this.engine === undefined) {
      const head = this.pendingHeader === undefined ? input : Buffer.concat([this.pendingHeader, input]);
      if (head.length < 2) {
        this.pendingHeader = head;
        return;
      }
      this.pendingHeader = undefined;
      this.open(isZlibHeader(head) ? zlib.createInflate() : zlib.createInflateRaw());
      if (this.handle === undefined) {
        this.problem = 'no zlib handle';
        return;
      }
      input = head;
    }
    const handle = this.handle;
    const state = this.state;
    if (handle === undefined || state === undefined) return;
    const flush = this.coding === 'br' ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.Z_SYNC_FLUSH;
    let inOff = 0;
    let inLen = input.length;
    // Stop once `room` is filled: a compression bomb is never inflated past the cap.
    while (room > 0) {
      if (this.slabOffset >= this.slab.length) {
        this.slab = Buffer.allocUnsafe(SLAB_BYTES);
        this.slabOffset = 0;
      }
      const outLen = Math.min(this.slab.length - this.slabOffset, room);
      handle.writeSync(flush, input, inOff, inLen, this.slab, this.slabOffset, outLen);
      if (this.problem !== undefined) return;
      const availOut = state[0];
      const availIn = state[1];
      const have = outLen - availOut;
      if (have > 0) {
        out.push(this.slab.subarray(this.slabOffset, this.slabOffset + have));
        this.slabOffset += have;
        room -= have;
      }
      inOff += inLen - availIn;
      inLen = availIn;
      // Output space left over means the decoder took all it could from this input.
      if (availOut !== 0) return;
    }
  }

  close(): void {
    const engine = this.engine;
    this.engine = undefined;
    this.handle = undefined;
    this.state = undefined;
    // Closes the native handle; a stream closed without an error emits no 'error'.
    engine?.close();
  }

  private open(engine: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress): void {
    this.engine = engine;
    const internals = engine as unknown as ZlibInternals;
    const handle = internals._handle;
    const state = internals._writeState;
    if (handle == null || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
      this.close();
      return;
    }
    // Node's own error handler destroys the stream with an 'error' event nobody listens to (an
    // uncaught exception); corrupt input only stops this stage.
    handle.onerror = (message: string) => {
      this.problem = String(message);
    };
    this.handle = handle;
    this.state = state;
  }
}

function isZlibHeader(body: Buffer): boolean {
  return body.length >= 2 && (body[0] & 0x0f) === 8 && ((body[0] << 8) | body[1]) % 31 === 0;
}
