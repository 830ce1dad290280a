import { decodeContent } from './capture/decode';

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

/** True for `text/event-stream` responses, and for untyped bodies that open like one. */
export function isEventStream(contentType: string | undefined, text: string): boolean {
  if (contentType !== undefined) return contentType.toLowerCase().includes('text/event-stream');
  return text.startsWith('data:') || text.startsWith('event:');
}
