import * as buffer from 'buffer';
import * as zlib from 'zlib';

/**
 * Undoes `content-encoding` (gzip, deflate, br; several listed are applied in order, so
 * undone in reverse). Flush modes that accept a cut stream are used because a capped or
 * aborted body ends mid-stream. Throws on an encoding it cannot undo, and (RangeError
 * ERR_BUFFER_TOO_LARGE) on output beyond `maxOutputBytes`; the caller logs.
 */
export function decodeContent(body: Buffer, contentEncoding: string | undefined, maxOutputBytes?: number): Buffer {
  if (!contentEncoding) return body;
  const codings = contentEncoding.toLowerCase().split(',').map(coding => coding.trim()).filter(Boolean);
  // Without a bound, 4 MiB of gzip can inflate to 4 GiB inside the application's process.
  const maxOutputLength = maxOutputBytes === undefined ? undefined : Math.min(maxOutputBytes, buffer.constants.MAX_LENGTH);
  let decoded = body;
  for (let i = codings.length - 1; i >= 0; i--) decoded = decodeOne(decoded, codings[i], maxOutputLength);
  return decoded;
}

function decodeOne(body: Buffer, coding: string, maxOutputLength: number | undefined): Buffer {
  switch (coding) {
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength });
    case 'deflate':
      // RFC 9110 deflate is zlib-wrapped, but some servers send raw deflate; fetch accepts both.
      return isZlibHeader(body)
        ? zlib.inflateSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength })
        : zlib.inflateRawSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength });
    case 'br':
      return zlib.brotliDecompressSync(body, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength });
    default:
      throw new Error(`unsupported content-encoding "${coding}"`);
  }
}

function isZlibHeader(body: Buffer): boolean {
  return body.length >= 2 && (body[0] & 0x0f) === 8 && ((body[0] << 8) | body[1]) % 31 === 0;
}
