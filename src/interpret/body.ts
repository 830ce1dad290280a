import { decodeContent } from './decode';

/** A captured body turned into text; `undefined` text when it could not be decoded. */
export interface BodyText {
  text: string | undefined;
  /** Why decoding failed, for one diag line. */
  problem?: string;
}

/**
 * Decodes by `content-encoding`, then UTF-8 (a multi-byte character cut by the cap becomes U+FFFD).
 * A body that would decode to more than `maxDecodedBytes` is not decoded at all.
 */
export function bodyText(body: Buffer, contentEncoding?: string, maxDecodedBytes?: number): BodyText {
  if (body.length === 0) return { text: '' };
  try {
    return { text: decodeContent(body, contentEncoding, maxDecodedBytes).toString('utf8') };
  } catch (error) {
    return { text: undefined, problem: `content-encoding ${contentEncoding}: ${(error as Error).message}` };
  }
}

/** JSON.parse that answers `undefined` instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether a body is an event stream, read by what it is: a body that opens like JSON is not one
 * and a body that opens with an SSE field is one, whatever its label; only a body that opens with
 * neither (or no text yet) goes by its `content-type`, and an untyped one by nothing.
 */
export function isEventStream(contentType: string | undefined, text: string): boolean {
  const opening = sseOrJsonOpening(text);
  if (opening !== undefined) return opening === 'sse';
  return contentType !== undefined && contentType.toLowerCase().includes('text/event-stream');
}

// An SSE body's first line is a field or a comment; these are the ones vLLM and proxies send.
const SSE_OPENING = /^(?:data|event|id|retry)?:/;

function sseOrJsonOpening(text: string): 'sse' | 'json' | undefined {
  let start = 0;
  // Bounded: white space before the first field is rare, and a body of only white space is neither.
  while (start < text.length && start < 1024 && isBlank(text.charCodeAt(start))) start++;
  const first = text.charCodeAt(start);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) return 'json';
  return SSE_OPENING.test(text.slice(start, start + 6)) ? 'sse' : undefined;
}

/**
 * Whether bytes open like JSON (`{` or `[` first after white space and a BOM): true or false, or
 * undefined while they hold nothing else yet.
 */
export function opensAsJson(bytes: Uint8Array): boolean | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (isBlank(byte) || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return undefined;
}

/** Space, tab, CR, LF, or a BOM (U+FEFF). */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === 0xfeff;
}
