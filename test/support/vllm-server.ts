/**
 * A local HTTP server on 127.0.0.1 that speaks vLLM's OpenAI-compatible wire format, for tests,
 * the demo and the benchmark. Queue scripted responses with `respondWith` (FIFO, one per request,
 * whatever the path); without one it emulates vLLM from the request body.
 *
 * Emulation rules (deterministic: text comes from the request, ids from a per-server counter):
 * - Routes match by path suffix, so `/llama/v1/chat/completions` behind a path-prefix proxy works:
 *   POST chat/completions, completions, embeddings, rerank, score, classify, pooling, responses;
 *   GET models, health. Other paths: 404; a body that is not a JSON object: 400 (nested errors).
 * - A token is 4 code points. The answer cycles through the last user message (chat), the prompt
 *   (completions) or the input (responses) followed by a space, choice i starting 4·i code points
 *   in; so an ASCII answer of N tokens is exactly 4·N bytes, and one stream chunk carries one token.
 * - Length: `max_tokens` / `max_completion_tokens` / `max_output_tokens` = N gives exactly N tokens
 *   and finish_reason `length`; without it `defaultTokens` tokens, then EOS (an empty final delta,
 *   counted as a token) and `stop`. With `reasoningTokens` (like `--reasoning-parser`) that many
 *   reasoning tokens come first and count against the budget.
 * - Tools: with `tools` and `tool_choice` not "none", every tool whose function name occurs in the
 *   last user message is called (several → parallel calls 0, 1, …); a named `tool_choice` calls
 *   that tool and "required" the first one. Arguments: `{"<first parameter>": "<last user message>"}`
 *   as Python's json.dumps writes them; finish_reason `tool_calls`.
 * - Usage: prompt tokens ≈ 4 code points per token (+4 per chat message); `stream_options` given
 *   means `include_usage` (its vLLM default), `continuous_usage_stats` needs `include_usage`.
 * - Ids: `<prefix><32 hex digits from the counter>`; an `X-Request-Id` header replaces the digits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import {
  type ChatStreamChoice,
  type CompletionStreamChoice,
  type ReasoningKey,
  type StreamToolCall,
  DEFAULT_CREATED,
  DEFAULT_MODEL,
  chatCompletion,
  chatStreamEvents,
  chatStreamSteps,
  classifyResponse,
  completion,
  completionStreamEvents,
  completionStreamSteps,
  embeddingResponse,
  hexId,
  modelList,
  nestedError,
  poolingResponse,
  pythonJsonDumps,
  rerankResponse,
  responseMessageItem,
  responseReasoningItem,
  responsesResponse,
  responsesStreamEvents,
  scoreResponse,
  wireJson,
} from './vllm-wire';

/** What the server sent for one request, updated while it is sent. */
export interface SentResponse {
  status: number;
  /** Separate body writes (one `res.write` each). */
  writes: number;
  bytes: number;
  ended: boolean;
}

/** A request as the server received it. */
export interface ReceivedRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  response: SentResponse;
}

/** How to answer one request. Body kinds: `body`, `json`, `events` (SSE) or `chunks` (raw pieces). */
export interface ResponseScript {
  /** Default 200. */
  status?: number;
  /** Added to the defaults (`content-type` from the body kind, `server: uvicorn`, computed `content-length`); `null` removes a default. */
  headers?: Record<string, string | null>;
  body?: string | Buffer;
  /** Serialized with `wireJson`. */
  json?: unknown;
  /** SSE event strings, one write each; content-type `text/event-stream; charset=utf-8`. */
  events?: Array<string | Buffer>;
  /** Raw pieces, one write each; content-type `application/json`. */
  chunks?: Array<string | Buffer>;
  /**
   * Pause between writes. By default (and with 0) each write waits for the previous one to flush and
   * one event-loop turn, which on loopback gives one client read per write (~80 µs a write).
   */
  delayMs?: number;
  /** Write back-to-back, only waiting on back-pressure: the kernel merges writes (10,000 events → ~100 client reads). */
  coalesce?: boolean;
  /** Re-cut the whole (possibly compressed) byte string into writes of this many bytes. */
  splitEvery?: number;
  /** gzip with a sync flush after every piece, so that each write decodes on its own; sets content-encoding. */
  gzip?: boolean;
  /** Reset the connection (TCP RST) after this many writes. */
  resetAfter?: number;
  /** Write everything, then hang without ending the response. */
  neverEnd?: boolean;
  /** Send content-length (default: yes unless the content-type is text/event-stream, like uvicorn). */
  contentLength?: boolean;
}

/** A queued answer: a script, or a function of the received request that returns one. */
export type ScriptedResponse = ResponseScript | ((request: ReceivedRequest) => ResponseScript | Promise<ResponseScript>);

/** Emulation settings. */
export interface VllmTestServerOptions {
  /** Model reported when a request names none (default `DEFAULT_MODEL`). */
  model?: string;
  /** `created` of every body (default `DEFAULT_CREATED`). */
  created?: number;
  /** Answer length in tokens when the request sets no maximum (default 16). */
  defaultTokens?: number;
  /** Reasoning tokens before each chat/responses answer, as with `--reasoning-parser` (default 0). */
  reasoningTokens?: number;
  /** Key of reasoning text in chat bodies (default `reasoning_content`). */
  reasoningKey?: ReasoningKey;
  /** Embedding/pooling vector size when the request sets no `dimensions` (default 32). */
  embeddingDimensions?: number;
  /** Reported by /v1/models and used for the default `max_output_tokens` (default 32768). */
  maxModelLen?: number;
  /** Classifier labels (default `["negative", "positive"]`). */
  labels?: string[];
}

/** vLLM-wire-compatible test server; see the file comment for the emulation rules. */
export class VllmTestServer {
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[] = [];
  private readonly queue: ScriptedResponse[] = [];
  private readonly emulator: VllmEmulator;

  private constructor(
    private readonly server: http.Server,
    /** Port on 127.0.0.1. */
    readonly port: number,
    options: VllmTestServerOptions,
  ) {
    this.emulator = new VllmEmulator(options);
    server.on('request', (req, res) => void this.handle(req, res));
  }

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(options: VllmTestServerOptions = {}): Promise<VllmTestServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new VllmTestServer(server, (server.address() as AddressInfo).port, options);
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `http://127.0.0.1:<port>/v1`, the `baseURL` of an OpenAI client. */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  /** Queues answers for the next requests (FIFO); requests beyond the queue are emulated. */
  respondWith(...scripts: ScriptedResponse[]): this {
    this.queue.push(...scripts);
    return this;
  }

  /** The emulated answer to a request, e.g. to wrap it: `respondWith((r) => ({ ...server.emulate(r), splitEvery: 7 }))`. */
  emulate(request: ReceivedRequest): ResponseScript {
    return this.emulator.respond(request);
  }

  /** Stops listening and destroys open sockets, including hanging responses. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        response: { status: 0, writes: 0, bytes: 0, ended: false },
      };
      this.requests.push(request);
      const next = this.queue.shift();
      const script = next === undefined ? this.emulate(request) : typeof next === 'function' ? await next(request) : next;
      await send(res, script, request.response);
    } catch (error) {
      // A broken script must fail the request visibly, never the server.
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'application/json' }).end(wireJson(nestedError(String(error), 'InternalServerError', 500)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Transport

const JSON_TYPE = 'application/json';
const EVENT_STREAM_TYPE = 'text/event-stream; charset=utf-8';

function bodyPieces(script: ResponseScript): Buffer[] {
  const pieces = script.events ?? script.chunks ?? (script.json !== undefined ? [wireJson(script.json)] : script.body !== undefined ? [script.body] : []);
  return pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece));
}

function responseHeaders(script: ResponseScript): Record<string, string> {
  const merged: Record<string, string | null> = { 'content-type': script.events ? EVENT_STREAM_TYPE : JSON_TYPE, server: 'uvicorn' };
  for (const [name, value] of Object.entries(script.headers ?? {})) merged[name.toLowerCase()] = value;
  return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== null));
}

async function gzipPieces(pieces: Buffer[]): Promise<Buffer[]> {
  const gzip = zlib.createGzip();
  const pending: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => pending.push(chunk));
  const take = () => Buffer.concat(pending.splice(0));
  const compressed: Buffer[] = [];
  for (const piece of pieces) {
    gzip.write(piece);
    await new Promise<void>((resolve) => gzip.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    compressed.push(take());
  }
  const ended = new Promise((resolve) => gzip.once('end', resolve));
  gzip.end();
  await ended;
  // The gzip trailer rides with the last piece so that the piece count stays the same.
  const trailer = take();
  if (compressed.length === 0) return [trailer];
  compressed[compressed.length - 1] = Buffer.concat([compressed[compressed.length - 1], trailer]);
  return compressed;
}

function recut(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}

function write(res: http.ServerResponse, piece: Buffer): Promise<void> {
  // The callback runs once the piece reached the socket (or failed on a destroyed one).
  return new Promise((resolve) => res.write(piece, () => resolve()));
}

function pause(delayMs: number | undefined): Promise<void> {
  if (!delayMs) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, delayMs).unref());
}

async function writeAll(res: http.ServerResponse, pieces: Buffer[], script: ResponseScript, sent: SentResponse): Promise<void> {
  for (let i = 0; i < pieces.length && i !== script.resetAfter; i++) {
    if (res.destroyed) return;
    if (script.coalesce) {
      if (!res.write(pieces[i])) await new Promise((resolve) => res.once('drain', resolve));
    } else {
      if (i > 0) await pause(script.delayMs);
      await write(res, pieces[i]);
    }
    sent.writes++;
    sent.bytes += pieces[i].length;
  }
}

async function send(res: http.ServerResponse, script: ResponseScript, sent: SentResponse): Promise<void> {
  const headers = responseHeaders(script);
  let pieces = bodyPieces(script);
  if (script.gzip) {
    pieces = await gzipPieces(pieces);
    headers['content-encoding'] = 'gzip';
  }
  if (script.splitEvery !== undefined) pieces = recut(Buffer.concat(pieces), Math.max(1, script.splitEvery));
  // An explicit content-length header wins, so that a test can send a wrong one.
  if (headers['content-length'] === undefined && (script.contentLength ?? !headers['content-type']?.startsWith('text/event-stream'))) {
    headers['content-length'] = String(pieces.reduce((total, piece) => total + piece.length, 0));
  }
  sent.status = script.status ?? 200;
  res.writeHead(sent.status, headers);
  await writeAll(res, pieces, script, sent);
  if (res.destroyed) return;
  if (script.resetAfter !== undefined) {
    res.flushHeaders();
    // Let the client read what was written: an RST can overtake unread data.
    await pause(5);
    res.socket?.resetAndDestroy();
  } else if (script.neverEnd) {
    res.flushHeaders();
  } else {
    res.end();
    sent.ended = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Emulation

/** A parsed request body: untrusted JSON, read defensively (`any` keeps the many optional reads short). */
type Body = Record<string, any>;

const TOKEN_CHARS = 4;

function errorScript(status: number, message: string, type: string): ResponseScript {
  return { status, json: nestedError(message, type, status) };
}

// FastAPI's RequestValidationError, as vLLM's handler turns it into a 400 nested error.
function validationError(detail: string): ResponseScript {
  return errorScript(400, `[${detail}]`, 'Bad Request');
}

function missingField(field: string): ResponseScript {
  return validationError(`{'type': 'missing', 'loc': ('body', '${field}'), 'msg': 'Field required'}`);
}

function codePoints(text: string): string[] {
  return Array.from(text);
}

function tokenCount(text: string): number {
  return Math.ceil(codePoints(text).length / TOKEN_CHARS);
}

/** `count` tokens of 4 code points cycling through `source` and a space, starting `offset` tokens in. */
function cycleTokens(source: string, count: number, offset = 0): string[] {
  const chars = codePoints(`${source || 'vllm'} `);
  const tokens = new Array<string>(count);
  for (let t = 0; t < count; t++) {
    let token = '';
    for (let k = 0; k < TOKEN_CHARS; k++) token += chars[((offset + t) * TOKEN_CHARS + k) % chars.length];
    tokens[t] = token;
  }
  return tokens;
}

function fragments(text: string): string[] {
  const chars = codePoints(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += TOKEN_CHARS) pieces.push(chars.slice(i, i + TOKEN_CHARS).join(''));
  return pieces;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: Body | string) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : '')).join('');
}

function lastUserText(messages: Body[]): string {
  const user = [...messages].reverse().find((m) => m?.role === 'user') ?? messages[messages.length - 1];
  return textOf(user?.content);
}

function asList(input: unknown): string[] {
  const items = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input : [input];
  return items.map((item) => (typeof item === 'string' ? item : Array.isArray(item) ? item.join(' ') : String(item ?? '')));
}

function positiveInt(value: unknown, fallback: number): number {
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : fallback;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** A small seeded generator (mulberry32) so that vectors depend only on their text. */
function seededRandom(text: string): () => number {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Multiples of 1/1024, never 0: they print the same in Python and JavaScript.
function vector(text: string, dimensions: number): number[] {
  const random = seededRandom(text);
  return Array.from({ length: dimensions }, () => (Math.floor(random() * 2046) - 1022 || 1) / 1024);
}

function base64Float32(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

// Shared words of query and document, as a score strictly between 0 and 1 in 1/2048 steps.
function relevance(query: string, document: string): number {
  const queryWords = new Set(query.toLowerCase().split(/\W+/).filter(Boolean));
  const words = document.toLowerCase().split(/\W+/).filter(Boolean);
  const shared = words.filter((w) => queryWords.has(w)).length;
  return Math.min(2047, Math.max(1, Math.round(((shared + 0.5) / (words.length + 1)) * 2048))) / 2048;
}

function streamFlags(body: Body): { includeUsage: boolean; continuousUsage: boolean } {
  const options = body.stream_options;
  const includeUsage = options != null && options.include_usage !== false;
  return { includeUsage, continuousUsage: includeUsage && options.continuous_usage_stats === true };
}

type Handler = (this: VllmEmulator, body: Body, request: ReceivedRequest) => ResponseScript;

class VllmEmulator {
  private seq = 0;
  private readonly o: Required<VllmTestServerOptions>;

  // Checked in order: `/chat/completions` must win over `/completions`.
  private static readonly routes: Array<{ suffix: string; method: string; handle: Handler }> = [
    { suffix: '/chat/completions', method: 'POST', handle: VllmEmulator.prototype.chat },
    { suffix: '/completions', method: 'POST', handle: VllmEmulator.prototype.completions },
    { suffix: '/embeddings', method: 'POST', handle: VllmEmulator.prototype.embeddings },
    { suffix: '/rerank', method: 'POST', handle: VllmEmulator.prototype.rerank },
    { suffix: '/score', method: 'POST', handle: VllmEmulator.prototype.score },
    { suffix: '/classify', method: 'POST', handle: VllmEmulator.prototype.classify },
    { suffix: '/pooling', method: 'POST', handle: VllmEmulator.prototype.pooling },
    { suffix: '/responses', method: 'POST', handle: VllmEmulator.prototype.responses },
    { suffix: '/models', method: 'GET', handle: VllmEmulator.prototype.models },
    { suffix: '/health', method: 'GET', handle: VllmEmulator.prototype.health },
  ];

  constructor(options: VllmTestServerOptions) {
    this.o = {
      model: DEFAULT_MODEL,
      created: DEFAULT_CREATED,
      defaultTokens: 16,
      reasoningTokens: 0,
      reasoningKey: 'reasoning_content',
      embeddingDimensions: 32,
      maxModelLen: 32768,
      labels: ['negative', 'positive'],
      ...options,
    };
  }

  respond(request: ReceivedRequest): ResponseScript {
    const path = request.path.split('?')[0];
    const route = VllmEmulator.routes.find((r) => path.endsWith(r.suffix));
    if (route === undefined) return errorScript(404, 'Not Found', 'Not Found');
    if (request.method !== route.method) return errorScript(405, 'Method Not Allowed', 'Method Not Allowed');
    if (route.method === 'GET') return route.handle.call(this, {}, request);
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return validationError(`{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error', 'input': {}, 'ctx': {'error': 'Expecting value'}}`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return validationError(`{'type': 'model_attributes_type', 'loc': ('body',), 'msg': 'Input should be a valid dictionary or object to extract fields from'}`);
    }
    return route.handle.call(this, body as Body, request);
  }

  private nextHex(): string {
    return hexId(++this.seq);
  }

  private envelope(prefix: string, body: Body, request: ReceivedRequest) {
    const requestId = request.headers['x-request-id'];
    return {
      id: `${prefix}${typeof requestId === 'string' ? requestId : this.nextHex()}`,
      created: this.o.created,
      model: typeof body.model === 'string' ? body.model : this.o.model,
    };
  }

  /** Reasoning and content fragments of one choice, and why it stops. */
  private answer(source: string, maxTokens: unknown, choice: number, reasoningTokens: number): ChatStreamChoice {
    const budget = Number.isInteger(maxTokens) ? (maxTokens as number) : undefined;
    const reasoning = Math.min(reasoningTokens, budget ?? reasoningTokens);
    const content = budget === undefined ? this.o.defaultTokens : Math.max(0, budget - reasoning);
    return {
      reasoning: cycleTokens(`Reasoning about: ${source}`, reasoning, choice),
      content: cycleTokens(source, content, choice),
      finishReason: budget === undefined ? 'stop' : 'length',
    };
  }

  private toolCalls(body: Body, prompt: string): StreamToolCall[] {
    const tools: Body[] = Array.isArray(body.tools) ? body.tools.filter((t: Body) => typeof t?.function?.name === 'string') : [];
    const choice = body.tool_choice;
    if (tools.length === 0 || choice === 'none') return [];
    const named = choice?.function?.name;
    const chosen = tools.filter((t) => (named !== undefined ? t.function.name === named : prompt.includes(t.function.name)));
    const calls = chosen.length === 0 && choice === 'required' ? tools.slice(0, 1) : chosen;
    return calls.map((tool) => {
      const parameter = Object.keys(tool.function.parameters?.properties ?? {})[0] ?? 'input';
      return {
        id: `chatcmpl-tool-${this.nextHex()}`,
        name: tool.function.name,
        argumentFragments: fragments(pythonJsonDumps({ [parameter]: prompt }, false)),
      };
    });
  }

  private chat(body: Body, request: ReceivedRequest): ResponseScript {
    if (!Array.isArray(body.messages)) return missingField('messages');
    if (body.stream_options != null && !body.stream) return validationError(`{'type': 'value_error', 'msg': 'Value error, Stream options can only be defined when \`stream=True\`.'}`);
    const envelope = this.envelope('chatcmpl-', body, request);
    const prompt = lastUserText(body.messages);
    const choices = Array.from({ length: positiveInt(body.n, 1) }, (_, i): ChatStreamChoice => {
      const plan = this.answer(prompt, body.max_completion_tokens ?? body.max_tokens, i, this.o.reasoningTokens);
      const toolCalls = this.toolCalls(body, prompt);
      return toolCalls.length ? { reasoning: plan.reasoning, toolCalls } : plan;
    });
    const promptTokens = sum(body.messages.map((m: Body) => 4 + tokenCount(textOf(m?.content))));
    const reasoningKey = this.o.reasoningKey;
    if (body.stream) return { events: chatStreamEvents({ ...envelope, choices, reasoningKey, promptTokens, ...streamFlags(body) }) };
    return {
      json: chatCompletion({
        ...envelope,
        reasoningKey,
        choices: choices.map((c) => ({
          content: c.toolCalls ? null : c.content!.join(''),
          reasoning: c.reasoning!.length ? c.reasoning!.join('') : null,
          toolCalls: c.toolCalls?.map((t) => ({ id: t.id, name: t.name, arguments: t.argumentFragments.join('') })),
          finishReason: c.finishReason,
        })),
        usage: { promptTokens, completionTokens: sum(choices.map((c) => chatStreamSteps(c).length)) },
      }),
    };
  }

  private completions(body: Body, request: ReceivedRequest): ResponseScript {
    if (body.prompt === undefined) return missingField('prompt');
    const envelope = this.envelope('cmpl-', body, request);
    const prompts = asList(body.prompt);
    const n = positiveInt(body.n, 1);
    // vLLM numbers choices prompt by prompt: index = prompt * n + i.
    const choices = prompts.flatMap((prompt) =>
      Array.from({ length: n }, (_, i): CompletionStreamChoice => {
        const plan = this.answer(prompt, body.max_tokens, i, 0);
        return { text: plan.content!, finishReason: plan.finishReason };
      }),
    );
    const promptTokens = sum(prompts.map(tokenCount));
    if (body.stream) return { events: completionStreamEvents({ ...envelope, choices, promptTokens, ...streamFlags(body) }) };
    return {
      json: completion({
        ...envelope,
        choices: choices.map((c) => ({ text: c.text.join(''), finishReason: c.finishReason })),
        usage: { promptTokens, completionTokens: sum(choices.map((c) => completionStreamSteps(c).length)) },
      }),
    };
  }

  private embeddings(body: Body, request: ReceivedRequest): ResponseScript {
    if (body.input === undefined) return missingField('input');
    const inputs = asList(body.input);
    const dimensions = positiveInt(body.dimensions, this.o.embeddingDimensions);
    const encode = body.encoding_format === 'base64' ? base64Float32 : (values: number[]) => values;
    return {
      json: embeddingResponse({
        ...this.envelope('embd-', body, request),
        embeddings: inputs.map((text) => encode(vector(text, dimensions))),
        promptTokens: sum(inputs.map(tokenCount)),
      }),
    };
  }

  private rerank(body: Body, request: ReceivedRequest): ResponseScript {
    if (body.query === undefined || body.documents === undefined) return missingField(body.query === undefined ? 'query' : 'documents');
    const query = textOf(body.query) || String(body.query);
    const documents = asList(Array.isArray(body.documents) ? body.documents.map((d: unknown) => textOf(d) || d) : body.documents);
    const ranked = documents
      .map((text, index) => ({ index, text, score: relevance(query, text) }))
      .sort((a, b) => b.score - a.score || a.index - b.index);
    const topN = positiveInt(body.top_n, ranked.length);
    return {
      json: rerankResponse({
        ...this.envelope('rerank-', body, request),
        results: ranked.slice(0, topN),
        totalTokens: sum(documents.map((d) => tokenCount(query) + tokenCount(d))),
      }),
    };
  }

  private score(body: Body, request: ReceivedRequest): ResponseScript {
    const first = body.text_1 ?? body.data_1 ?? body.queries;
    const second = body.text_2 ?? body.data_2 ?? body.documents;
    if (first === undefined || second === undefined) return missingField(first === undefined ? 'text_1' : 'text_2');
    const lefts = asList(first);
    const rights = asList(second);
    // One left text is scored against every right text; two lists are paired.
    const pairs = rights.map((right, i) => [lefts.length === 1 ? lefts[0] : lefts[i] ?? '', right]);
    return {
      json: scoreResponse({
        ...this.envelope('score-', body, request),
        scores: pairs.map(([left, right]) => relevance(left, right)),
        promptTokens: sum(pairs.map(([left, right]) => tokenCount(left) + tokenCount(right))),
      }),
    };
  }

  private classify(body: Body, request: ReceivedRequest): ResponseScript {
    if (body.input === undefined) return missingField('input');
    const inputs = asList(body.input);
    const labels = this.o.labels;
    return {
      json: classifyResponse({
        ...this.envelope('classify-', body, request),
        results: inputs.map((text) => {
          // Integer weights summing to 1024, so that the probabilities are exact and sum to 1.
          const random = seededRandom(text);
          const weights = labels.map(() => 1 + Math.floor(random() * 100));
          const total = sum(weights);
          const units = weights.map((w) => Math.max(1, Math.floor((w / total) * 1024)));
          units[0] += 1024 - sum(units);
          const best = units.indexOf(Math.max(...units));
          return { label: labels[best], probs: units.map((u) => u / 1024) };
        }),
        promptTokens: sum(inputs.map(tokenCount)),
      }),
    };
  }

  private pooling(body: Body, request: ReceivedRequest): ResponseScript {
    if (body.input === undefined) return missingField('input');
    const inputs = asList(body.input);
    return {
      json: poolingResponse({
        ...this.envelope('pool-', body, request),
        data: inputs.map((text) => vector(text, positiveInt(body.dimensions, this.o.embeddingDimensions))),
        promptTokens: sum(inputs.map(tokenCount)),
      }),
    };
  }

  private responses(body: Body, request: ReceivedRequest): ResponseScript {
    if (body.input === undefined) return missingField('input');
    const envelope = this.envelope('resp_', body, request);
    const prompt = typeof body.input === 'string' ? body.input : Array.isArray(body.input) ? lastUserText(body.input) : '';
    const plan = this.answer(prompt, body.max_output_tokens, 0, this.o.reasoningTokens);
    const text = plan.content!.join('');
    const messageId = `msg_${this.nextHex()}`;
    const inputTokens = tokenCount(prompt) + tokenCount(typeof body.instructions === 'string' ? body.instructions : '');
    const reasoning = plan.reasoning!.length ? [responseReasoningItem(plan.reasoning!.join(''), `rs_${this.nextHex()}`)] : [];
    const options = {
      ...envelope,
      instructions: typeof body.instructions === 'string' ? body.instructions : null,
      output: [...reasoning, responseMessageItem(text, messageId)],
      maxOutputTokens: Number.isInteger(body.max_output_tokens) ? body.max_output_tokens : this.o.maxModelLen - inputTokens,
      temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
      topP: typeof body.top_p === 'number' ? body.top_p : undefined,
      tools: Array.isArray(body.tools) ? body.tools : undefined,
      toolChoice: body.tool_choice,
      usage: { inputTokens, outputTokens: chatStreamSteps(plan).length, reasoningTokens: plan.reasoning!.length },
    };
    if (body.stream) return { events: responsesStreamEvents({ ...options, deltas: plan.content!, messageId }) };
    return { json: responsesResponse(options) };
  }

  private models(): ResponseScript {
    return { json: modelList([this.o.model], { created: this.o.created, maxModelLen: this.o.maxModelLen }) };
  }

  private health(): ResponseScript {
    // vLLM answers `Response(status_code=200)`: no body, no content-type.
    return { body: '', headers: { 'content-type': null } };
  }
}
