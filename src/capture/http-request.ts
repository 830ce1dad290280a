/**
 * The parts of Node's `http.ClientRequest` and `http.IncomingMessage` (the `request` and
 * `response` of every `http.client.*` diagnostics-channel message) that capture uses.
 * Public, documented members only, except `push` (Readable's, which the HTTP parser calls
 * with every body chunk and `null` at the end) and `aborted` (set by `request.abort()`).
 */
export interface ClientRequestLike {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  /** `http:` or `https:`. */
  protocol?: string;
  host?: string;
  getHeader(name: string): unknown;
  getHeaders(): Record<string, unknown>;
  write: (...args: unknown[]) => unknown;
  end: (...args: unknown[]) => unknown;
  /** Set by the deprecated `request.abort()`, which node-fetch 2 (so openai v4) calls on an AbortSignal. */
  aborted?: boolean;
}

/** The response of a client request. */
export interface IncomingMessageLike {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  /** Whether the whole body arrived. */
  complete?: boolean;
  push: (...args: unknown[]) => boolean;
  destroy: (...args: unknown[]) => unknown;
}

/** Message of `http.client.request.created` (Node >= 22), `http.client.request.start`. */
export interface ClientRequestMessage {
  request: ClientRequestLike;
}

/** Message of `http.client.response.finish`: published at the response head, before any body byte is pushed. */
export interface ClientResponseMessage {
  request: ClientRequestLike;
  response: IncomingMessageLike;
}

/** Message of `http.client.request.error`: published before the request emits `error`. */
export interface ClientRequestErrorMessage {
  request: ClientRequestLike;
  error: Error & { code?: string };
}

/** The request's URL as `url.full` spells it: `<protocol>//<host header><path>`. */
export function clientRequestUrl(request: ClientRequestLike): string {
  const host = request.getHeader('host');
  return `${request.protocol ?? 'http:'}//${typeof host === 'string' ? host : request.host ?? 'localhost'}${request.path}`;
}

/** A chunk as `write`/`end` take it (string in `encoding`, Buffer, Uint8Array), copied into a Buffer the app cannot reuse. */
export function writtenBytes(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
  // A copy: the app may refill its buffer once the write's callback ran, long before the span ends.
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
}

/** What `@opentelemetry/instrumentation-http` hands its `ignoreOutgoingRequestHook`: the options of `http.request`. */
export interface RequestOptionsLike {
  method?: string;
  protocol?: string | null;
  hostname?: string | null;
  host?: string | null;
  port?: number | string | null;
  path?: string | null;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** The URL `http.request(options)` will ask for, spelled as `clientRequestUrl` spells it once the request exists. */
export function requestOptionsUrl(options: RequestOptionsLike): string {
  const protocol = options.protocol ?? 'http:';
  let host = options.hostname ?? options.host ?? 'localhost';
  // `host` may carry its port already; an IPv6 literal goes in brackets, as in a Host header.
  if (host.includes(':') && !host.startsWith('[') && options.hostname != null) host = `[${host}]`;
  const port = options.port == null ? undefined : String(options.port);
  const withPort = port !== undefined && port !== DEFAULT_PORTS[protocol] && !/:\d+$/.test(host) ? `${host}:${port}` : host;
  return `${protocol}//${withPort}${options.path ?? '/'}`;
}
