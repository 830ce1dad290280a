/**
 * The parts of undici's internal `Request` object (the `request` in every
 * `undici:request:*` diagnostics-channel message) that capture uses. Stable across
 * undici 5–8 except where noted.
 */
export interface UndiciRequest {
  origin: string | URL;
  path: string;
  method: string;
  /** As sent, trace-context headers included: a flat `[name, value, ...]` array or `name: value\r\n` lines, by version. */
  headers?: unknown;
  /** undici < 8: called with every response body chunk. */
  onData?: (chunk: Buffer) => unknown;
  /** Called with every request body chunk as it is written. */
  onBodySent?: (chunk: Buffer | string) => unknown;
}

/** Message of `undici:request:headers`. */
export interface ResponseHeadersMessage {
  request: UndiciRequest;
  response: { statusCode: number; headers: Array<Buffer | string> };
}

/** Message of `undici:request:bodyChunkSent` / `bodyChunkReceived` (undici >= 7.11). */
export interface BodyChunkMessage {
  request: UndiciRequest;
  chunk: Uint8Array | string;
}

/** Message of `undici:request:error`. */
export interface RequestErrorMessage {
  request: UndiciRequest;
  error: Error & { code?: string };
}

/** `origin + path` without the slash that a URL-typed origin adds. */
export function requestUrl(request: UndiciRequest): string {
  const origin = typeof request.origin === 'string' ? request.origin : request.origin.origin;
  return origin.endsWith('/') ? origin.slice(0, -1) + request.path : origin + request.path;
}
