/**
 * Builders of vLLM's OpenAI-compatible wire bodies, shaped as vLLM's pydantic models dump them
 * (vLLM ~0.9–0.11, the era of the bodies in test/fixtures/real-vllm):
 * - non-stream bodies: every field present, nulls included, in the model's field order;
 * - chat stream chunks: only the fields vLLM sets (`model_dump_json(exclude_unset=True)`);
 * - completion stream chunks: nulls kept (`exclude_unset=False`), so `"usage":null` is there.
 * Builders return plain objects (spread them to add fields of another era at the end);
 * `wireJson` and `sseEvent` turn them into the exact bytes vLLM sends.
 */

/** Which key carries reasoning text: `reasoning_content` (up to ~0.11) or `reasoning` (2026 builds). */
export type ReasoningKey = 'reasoning_content' | 'reasoning';

/** `stop_reason`: the stop token id, the stop string, or null (EOS or length). */
export type StopReason = number | string | null;

/** The identifying fields of a response; defaults are fixed so that builders stay pure. */
export interface Envelope {
  id?: string;
  created?: number;
  model?: string;
}

/** Token counts from which a `usage` object is built. */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
}

/** Default `created` (the timestamp of fixture 03). */
export const DEFAULT_CREATED = 1764924127;

/** Default model name. */
export const DEFAULT_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** 32 hex digits, like the `random_uuid()` suffix of vLLM ids, derived from `n` to stay deterministic. */
export function hexId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

// ---------------------------------------------------------------------------------------------
// Serialization

// pydantic prints float-typed fields with Python's float repr (`1.0`, `1e-05`) where
// JSON.stringify would print `1` and `0.00001`. These keys are float-typed in vLLM's models.
const FLOAT_FIELD_NAMES = ['embedding', 'score', 'relevance_score', 'probs', 'temperature', 'top_p', 'logprob', 'data'];
const FLOAT_FIELDS = new Set(FLOAT_FIELD_NAMES);
// A raw `"` inside a JSON string is always escaped, so this only matches keys.
const FLOAT_KEY_PATTERN = new RegExp(`"(?:${FLOAT_FIELD_NAMES.join('|')})":`);
const FLOAT_MARK = '\u0000pyfloat:';
const FLOAT_MARK_PATTERN = /"\\u0000pyfloat:([^"]*)"/g;

/** Python's `repr(float)`: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16. */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(x, -0)) return '-0.0';
  const abs = Math.abs(x);
  if (Number.isInteger(x) && abs < 1e16) return x.toFixed(1);
  if (abs >= 1e-4 && abs < 1e16) return String(x);
  const [mantissa, exponent] = x.toExponential().split('e');
  return `${mantissa}e${exponent[0]}${exponent.slice(1).padStart(2, '0')}`;
}

function markFloats(value: unknown): unknown {
  if (typeof value === 'number') return FLOAT_MARK + pythonFloat(value);
  if (Array.isArray(value) && (typeof value[0] === 'number' || Array.isArray(value[0]))) return value.map(markFloats);
  return value;
}

/** Compact JSON as vLLM sends it (starlette `json.dumps(separators=(",", ":"), ensure_ascii=False)` / pydantic), floats in Python form. */
export function wireJson(value: unknown): string {
  // Fast path: a replacer makes JSON.stringify several times slower, and most chunks have no float field.
  const plain = JSON.stringify(value);
  if (plain === undefined || !FLOAT_KEY_PATTERN.test(plain)) return plain;
  let marked = false;
  const text = JSON.stringify(value, (key, field: unknown) => {
    if (!FLOAT_FIELDS.has(key)) return field;
    const floats = markFloats(field);
    marked ||= floats !== field;
    return floats;
  });
  return marked ? text.replace(FLOAT_MARK_PATTERN, '$1') : text;
}

/** Python's plain `json.dumps(value)`: `", "` and `": "` separators, non-ASCII as `\uXXXX` unless `ensureAscii` is false. */
export function pythonJsonDumps(value: unknown, ensureAscii = true): string {
  const spaced = wireJson(value).replace(/"(?:[^"\\]|\\.)*"|[,:]/g, (token) =>
    token === ',' ? ', ' : token === ':' ? ': ' : token,
  );
  if (!ensureAscii) return spaced;
  return spaced.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One SSE event: `data: <json>\n\n`, or `event: <name>\ndata: <json>\n\n`; a string (`'[DONE]'`, pre-serialized JSON) is sent as is. */
export function sseEvent(data: unknown, eventName?: string): string {
  const payload = typeof data === 'string' ? data : wireJson(data);
  return eventName === undefined ? `data: ${payload}\n\n` : `event: ${eventName}\ndata: ${payload}\n\n`;
}

/** The event that ends every chat and completion stream. */
export const DONE_EVENT = sseEvent('[DONE]');

// ---------------------------------------------------------------------------------------------
// Shared pieces

function head(o: Envelope, idPrefix: string, object: string) {
  return { id: o.id ?? `${idPrefix}${hexId(1)}`, object, created: o.created ?? DEFAULT_CREATED, model: o.model ?? DEFAULT_MODEL };
}

/** `UsageInfo` of a non-stream body (and of completion chunks): prompt, total, completion, prompt_tokens_details. */
export function usageInfo(t: TokenCounts) {
  return {
    prompt_tokens: t.promptTokens,
    total_tokens: t.promptTokens + t.completionTokens,
    completion_tokens: t.completionTokens,
    prompt_tokens_details: t.cachedTokens === undefined ? null : { cached_tokens: t.cachedTokens },
  };
}

/** `UsageInfo` of chat chunks and final usage chunks (`exclude_unset`/`exclude_none`): details only when cached tokens are reported. */
export function streamUsage(t: TokenCounts) {
  const { prompt_tokens_details, ...usage } = usageInfo(t);
  return prompt_tokens_details === null ? usage : { ...usage, prompt_tokens_details };
}

const ZERO_USAGE: TokenCounts = { promptTokens: 0, completionTokens: 0 };

/** Fields of one streamed choice that close it. */
interface Finish {
  finishReason?: string | null;
  stopReason?: StopReason;
}

// 'length' stops on the token that hit the limit; any other reason stops on the EOS token,
// which decodes to an empty delta of its own.
function finishSteps<T extends Finish>(steps: T[], finishReason: string, stopReason: StopReason, eos: T): T[] {
  if (finishReason !== 'length' || steps.length === 0) steps.push(eos);
  Object.assign(steps[steps.length - 1], { finishReason, stopReason });
  return steps;
}

// vLLM streams the choices of one request interleaved, one engine step at a time.
function roundRobin<T>(lists: T[][], visit: (item: T, list: number) => void): void {
  const rounds = Math.max(0, ...lists.map((list) => list.length));
  for (let round = 0; round < rounds; round++) {
    lists.forEach((list, index) => {
      if (round < list.length) visit(list[round], index);
    });
  }
}

/** A whole tool call of a non-stream message. */
export interface ToolCallSpec {
  id: string;
  name: string;
  arguments: string;
}

/** A tool call as streamed: the first delta names it, then one delta per argument fragment. */
export interface StreamToolCall {
  id: string;
  name: string;
  argumentFragments: string[];
}

// ---------------------------------------------------------------------------------------------
// Chat completions

/** One choice of a non-stream chat completion. */
export interface ChatChoiceSpec {
  content?: string | null;
  reasoning?: string | null;
  toolCalls?: ToolCallSpec[];
  /** Default: `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: string | null;
  stopReason?: StopReason;
  tokenIds?: number[] | null;
  logprobs?: unknown;
}

/** Options of `chatCompletion`; the top-level choice fields describe choice 0 when `choices` is absent. */
export interface ChatCompletionOptions extends Envelope, ChatChoiceSpec {
  choices?: ChatChoiceSpec[];
  usage?: TokenCounts;
  reasoningKey?: ReasoningKey;
  serviceTier?: string | null;
  systemFingerprint?: string | null;
  promptLogprobs?: unknown;
  promptTokenIds?: number[] | null;
  kvTransferParams?: Record<string, unknown> | null;
}

/** A `chat.completion` body (fixture 03's shape). */
export function chatCompletion(o: ChatCompletionOptions = {}) {
  const reasoningKey = o.reasoningKey ?? 'reasoning_content';
  return {
    ...head(o, 'chatcmpl-', 'chat.completion'),
    choices: (o.choices ?? [o]).map((c, index) => ({
      index,
      message: {
        role: 'assistant',
        content: c.content ?? null,
        refusal: null,
        annotations: null,
        audio: null,
        function_call: null,
        tool_calls: (c.toolCalls ?? []).map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })),
        [reasoningKey]: c.reasoning ?? null,
      },
      logprobs: c.logprobs ?? null,
      finish_reason: c.finishReason === undefined ? (c.toolCalls?.length ? 'tool_calls' : 'stop') : c.finishReason,
      stop_reason: c.stopReason ?? null,
      token_ids: c.tokenIds ?? null,
    })),
    service_tier: o.serviceTier ?? null,
    system_fingerprint: o.systemFingerprint ?? null,
    usage: usageInfo(o.usage ?? ZERO_USAGE),
    prompt_logprobs: o.promptLogprobs ?? null,
    prompt_token_ids: o.promptTokenIds ?? null,
    kv_transfer_params: o.kvTransferParams ?? null,
  };
}

/** One tool-call fragment of a chat delta. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

/** One choice of a chat chunk: only the fields given are emitted, as `exclude_unset` does. */
export interface ChatChunkChoice extends Finish {
  index?: number;
  role?: string;
  content?: string;
  reasoning?: string;
  toolCalls?: ToolCallDelta[];
  /** `null` emits `"token_ids":null` (vLLM >= ~0.10 on every token chunk); absent omits the key. */
  tokenIds?: number[] | null;
  logprobs?: unknown;
}

/** Options of `chatChunk`. */
export interface ChatChunkOptions extends Envelope {
  choices: ChatChunkChoice[];
  /** Continuous usage stats: cumulative counts carried by the chunk. */
  usage?: TokenCounts;
  reasoningKey?: ReasoningKey;
}

function toolCallDelta(t: ToolCallDelta) {
  const fn: Record<string, string> = {};
  if (t.name !== undefined) fn.name = t.name;
  if (t.arguments !== undefined) fn.arguments = t.arguments;
  // DeltaToolCall's field order is id, type, index, function.
  return t.id === undefined ? { index: t.index, function: fn } : { id: t.id, type: 'function', index: t.index, function: fn };
}

function chatDelta(c: ChatChunkChoice, reasoningKey: ReasoningKey) {
  const delta: Record<string, unknown> = {};
  if (c.role !== undefined) delta.role = c.role;
  if (c.content !== undefined) delta.content = c.content;
  if (c.reasoning !== undefined) delta[reasoningKey] = c.reasoning;
  if (c.toolCalls !== undefined) delta.tool_calls = c.toolCalls.map(toolCallDelta);
  return delta;
}

/** A `chat.completion.chunk` (fixture 07's shape). */
export function chatChunk(o: ChatChunkOptions) {
  const reasoningKey = o.reasoningKey ?? 'reasoning_content';
  const chunk: Record<string, unknown> = {
    ...head(o, 'chatcmpl-', 'chat.completion.chunk'),
    choices: o.choices.map((c) => {
      const choice: Record<string, unknown> = {
        index: c.index ?? 0,
        delta: chatDelta(c, reasoningKey),
        logprobs: c.logprobs ?? null,
        finish_reason: c.finishReason ?? null,
      };
      // vLLM sets stop_reason only on the chunk that finishes the choice.
      if (c.finishReason != null) choice.stop_reason = c.stopReason ?? null;
      if (c.tokenIds !== undefined) choice.token_ids = c.tokenIds;
      return choice;
    }),
  };
  if (o.usage !== undefined) chunk.usage = streamUsage(o.usage);
  return chunk;
}

/** The last chunk with `stream_options.include_usage`: `choices: []` and the whole usage. */
export function usageChunk(usage: TokenCounts, o: Envelope & { object?: 'chat.completion.chunk' | 'text_completion' } = {}) {
  const object = o.object ?? 'chat.completion.chunk';
  return { ...head(o, object === 'text_completion' ? 'cmpl-' : 'chatcmpl-', object), choices: [], usage: streamUsage(usage) };
}

/** What one choice of a chat stream says, as fragments (one fragment = one token = one chunk). */
export interface ChatStreamChoice {
  reasoning?: string[];
  content?: string[];
  toolCalls?: StreamToolCall[];
  /** Default: `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: string;
  stopReason?: StopReason;
}

/** Options of `chatStreamEvents`; the top-level choice fields describe choice 0 when `choices` is absent. */
export interface ChatStreamOptions extends Envelope, ChatStreamChoice {
  choices?: ChatStreamChoice[];
  reasoningKey?: ReasoningKey;
  promptTokens?: number;
  /** `stream_options.include_usage`: a final `choices: []` usage chunk. */
  includeUsage?: boolean;
  /** `stream_options.continuous_usage_stats`: cumulative usage on every chunk. */
  continuousUsage?: boolean;
  /** `null` adds `"token_ids":null` to every token chunk, as vLLM >= ~0.10 does. */
  tokenIds?: null;
  /** Append `data: [DONE]` (default true). */
  done?: boolean;
}

/** The chunk choices vLLM streams for one choice after its role chunk; each is one token, the last carries finish_reason. */
export function chatStreamSteps(c: ChatStreamChoice): ChatChunkChoice[] {
  const steps: ChatChunkChoice[] = [];
  for (const reasoning of c.reasoning ?? []) steps.push({ reasoning });
  for (const content of c.content ?? []) steps.push({ content });
  const calls = c.toolCalls ?? [];
  calls.forEach((call, index) => {
    steps.push({ toolCalls: [{ index, id: call.id, name: call.name }] });
    for (const fragment of call.argumentFragments) steps.push({ toolCalls: [{ index, arguments: fragment }] });
  });
  const eos: ChatChunkChoice = calls.length ? { toolCalls: [{ index: calls.length - 1, arguments: '' }] } : { content: '' };
  return finishSteps(steps, c.finishReason ?? (calls.length ? 'tool_calls' : 'stop'), c.stopReason ?? null, eos);
}

/** Every SSE event of a chat stream: role chunks, deltas, the finishing chunk, the usage chunk, `[DONE]`. */
export function chatStreamEvents(o: ChatStreamOptions = {}): string[] {
  const choices = o.choices ?? [o];
  const envelope = { id: o.id, created: o.created, model: o.model, reasoningKey: o.reasoningKey };
  const promptTokens = o.promptTokens ?? 0;
  const used = choices.map(() => 0);
  const usageOf = (index: number) => (o.continuousUsage ? { promptTokens, completionTokens: used[index] } : undefined);
  const events = choices.map((_, index) =>
    sseEvent(chatChunk({ ...envelope, choices: [{ index, role: 'assistant', content: '' }], usage: usageOf(index) })),
  );
  roundRobin(choices.map(chatStreamSteps), (step, index) => {
    used[index]++;
    events.push(sseEvent(chatChunk({ ...envelope, choices: [{ index, ...step, tokenIds: o.tokenIds }], usage: usageOf(index) })));
  });
  if (o.includeUsage) {
    const completionTokens = used.reduce((a, b) => a + b, 0);
    events.push(sseEvent(usageChunk({ promptTokens, completionTokens }, envelope)));
  }
  if (o.done !== false) events.push(DONE_EVENT);
  return events;
}

// ---------------------------------------------------------------------------------------------
// Completions

/** One choice of a non-stream completion. */
export interface CompletionChoiceSpec {
  text?: string;
  finishReason?: string | null;
  stopReason?: StopReason;
  logprobs?: unknown;
  promptLogprobs?: unknown;
}

/** Options of `completion`; the top-level choice fields describe choice 0 when `choices` is absent. */
export interface CompletionOptions extends Envelope, CompletionChoiceSpec {
  choices?: CompletionChoiceSpec[];
  usage?: TokenCounts;
}

/** A `text_completion` body (fixture 05's shape; newer builds append `kv_transfer_params`). */
export function completion(o: CompletionOptions = {}) {
  return {
    ...head(o, 'cmpl-', 'text_completion'),
    choices: (o.choices ?? [o]).map((c, index) => ({
      index,
      text: c.text ?? '',
      logprobs: c.logprobs ?? null,
      finish_reason: c.finishReason === undefined ? 'stop' : c.finishReason,
      stop_reason: c.stopReason ?? null,
      prompt_logprobs: c.promptLogprobs ?? null,
    })),
    usage: usageInfo(o.usage ?? ZERO_USAGE),
  };
}

/** One choice of a completion chunk. */
export interface CompletionChunkChoice extends Finish {
  index?: number;
  text: string;
  logprobs?: unknown;
}

/** Options of `completionChunk`. */
export interface CompletionChunkOptions extends Envelope {
  choices: CompletionChunkChoice[];
  /** Continuous usage stats; absent gives `"usage":null`. */
  usage?: TokenCounts;
}

/** A streamed `text_completion` chunk: nulls kept, `"usage":null` unless continuous usage. */
export function completionChunk(o: CompletionChunkOptions) {
  return {
    ...head(o, 'cmpl-', 'text_completion'),
    choices: o.choices.map((c) => ({
      index: c.index ?? 0,
      text: c.text,
      logprobs: c.logprobs ?? null,
      finish_reason: c.finishReason ?? null,
      stop_reason: c.stopReason ?? null,
    })),
    usage: o.usage === undefined ? null : usageInfo(o.usage),
  };
}

/** What one choice of a completion stream says, as fragments (one fragment = one token = one chunk). */
export interface CompletionStreamChoice {
  text: string[];
  /** Default `stop`. */
  finishReason?: string;
  stopReason?: StopReason;
}

/** Options of `completionStreamEvents`. */
export interface CompletionStreamOptions extends Envelope {
  choices: CompletionStreamChoice[];
  promptTokens?: number;
  includeUsage?: boolean;
  continuousUsage?: boolean;
  done?: boolean;
}

/** The chunk choices vLLM streams for one completion choice (no role chunk); the last carries finish_reason. */
export function completionStreamSteps(c: CompletionStreamChoice): CompletionChunkChoice[] {
  const steps = c.text.map((text): CompletionChunkChoice => ({ text }));
  return finishSteps(steps, c.finishReason ?? 'stop', c.stopReason ?? null, { text: '' });
}

/** Every SSE event of a completion stream, ending with the usage chunk (if asked) and `[DONE]`. */
export function completionStreamEvents(o: CompletionStreamOptions): string[] {
  const envelope = { id: o.id, created: o.created, model: o.model };
  const promptTokens = o.promptTokens ?? 0;
  const used = o.choices.map(() => 0);
  const events: string[] = [];
  roundRobin(o.choices.map(completionStreamSteps), (step, index) => {
    used[index]++;
    const usage = o.continuousUsage ? { promptTokens, completionTokens: used[index] } : undefined;
    events.push(sseEvent(completionChunk({ ...envelope, choices: [{ index, ...step }], usage })));
  });
  if (o.includeUsage) {
    const completionTokens = used.reduce((a, b) => a + b, 0);
    events.push(sseEvent(usageChunk({ promptTokens, completionTokens }, { ...envelope, object: 'text_completion' })));
  }
  if (o.done !== false) events.push(DONE_EVENT);
  return events;
}

// ---------------------------------------------------------------------------------------------
// Pooling family

/** Options shared by the pooling-family bodies. */
export interface PoolingUsageOptions extends Envelope {
  promptTokens?: number;
}

function poolingUsage(o: PoolingUsageOptions) {
  return usageInfo({ promptTokens: o.promptTokens ?? 0, completionTokens: 0 });
}

/** A `/v1/embeddings` body (fixture 01's shape): float vectors, or base64 float32 strings. */
export function embeddingResponse(o: PoolingUsageOptions & { embeddings: Array<number[] | string> }) {
  return {
    ...head(o, 'embd-', 'list'),
    data: o.embeddings.map((embedding, index) => ({ index, object: 'embedding', embedding })),
    usage: poolingUsage(o),
  };
}

/** A `/rerank` body (fixture 08's shape); results are emitted in the order given (vLLM sorts by score). */
export function rerankResponse(o: Envelope & { results: Array<{ index: number; text: string; score: number }>; totalTokens?: number }) {
  return {
    id: o.id ?? `rerank-${hexId(1)}`,
    model: o.model ?? DEFAULT_MODEL,
    usage: { total_tokens: o.totalTokens ?? 0 },
    results: o.results.map((r) => ({ index: r.index, document: { text: r.text }, relevance_score: r.score })),
  };
}

/** A `/score` body. */
export function scoreResponse(o: PoolingUsageOptions & { scores: number[] }) {
  return {
    ...head(o, 'score-', 'list'),
    data: o.scores.map((score, index) => ({ index, object: 'score', score })),
    usage: poolingUsage(o),
  };
}

/** A `/classify` body; `num_classes` is the length of `probs`. */
export function classifyResponse(o: PoolingUsageOptions & { results: Array<{ label: string | null; probs: number[] }> }) {
  return {
    ...head(o, 'classify-', 'list'),
    data: o.results.map((r, index) => ({ index, label: r.label, probs: r.probs, num_classes: r.probs.length })),
    usage: poolingUsage(o),
  };
}

/** A `/pooling` body. */
export function poolingResponse(o: PoolingUsageOptions & { data: Array<number[] | number[][] | string> }) {
  return {
    ...head(o, 'pool-', 'list'),
    data: o.data.map((data, index) => ({ index, object: 'pooling', data })),
    usage: poolingUsage(o),
  };
}

// ---------------------------------------------------------------------------------------------
// Responses API

/** Token counts of a Responses API `usage`. */
export interface ResponsesUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
}

/** Options of `responsesResponse` (`created` becomes `created_at`). */
export interface ResponsesOptions extends Envelope {
  output?: unknown[];
  status?: string;
  usage?: ResponsesUsage | null;
  instructions?: string | null;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  tools?: unknown[];
  toolChoice?: unknown;
}

function outputText(text: string) {
  return { annotations: [], text, type: 'output_text', logprobs: null };
}

/** An assistant `message` output item with one `output_text` part (no part while in progress and empty). */
export function responseMessageItem(text: string, id = `msg_${hexId(1)}`, status = 'completed') {
  return { id, content: status === 'in_progress' ? [] : [outputText(text)], role: 'assistant', status, type: 'message' };
}

/** A `reasoning` output item, as vLLM emits it with a reasoning parser. */
export function responseReasoningItem(text: string, id = `rs_${hexId(1)}`) {
  return { id, summary: [], type: 'reasoning', content: [{ text, type: 'reasoning_text' }], encrypted_content: null, status: null };
}

/** A `/v1/responses` body (ResponsesResponse field order of ~0.11). */
export function responsesResponse(o: ResponsesOptions = {}) {
  const u = o.usage;
  return {
    id: o.id ?? `resp_${hexId(1)}`,
    created_at: o.created ?? DEFAULT_CREATED,
    incomplete_details: null,
    instructions: o.instructions ?? null,
    metadata: null,
    model: o.model ?? DEFAULT_MODEL,
    object: 'response',
    output: o.output ?? [],
    parallel_tool_calls: true,
    temperature: o.temperature ?? 1,
    tool_choice: o.toolChoice ?? 'auto',
    tools: o.tools ?? [],
    top_p: o.topP ?? 1,
    background: false,
    max_output_tokens: o.maxOutputTokens ?? 16,
    max_tool_calls: null,
    previous_response_id: null,
    prompt: null,
    reasoning: null,
    service_tier: 'auto',
    status: o.status ?? 'completed',
    text: null,
    top_logprobs: 0,
    truncation: 'disabled',
    usage: u
      ? {
          input_tokens: u.inputTokens,
          input_tokens_details: { cached_tokens: u.cachedTokens ?? 0 },
          output_tokens: u.outputTokens,
          output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
          total_tokens: u.inputTokens + u.outputTokens,
        }
      : null,
    user: null,
  };
}

/** Every `event:`/`data:` event of a streamed Responses API text answer (no `[DONE]`). */
export function responsesStreamEvents(o: ResponsesOptions & { deltas: string[]; messageId?: string }): string[] {
  const text = o.deltas.join('');
  const item_id = o.messageId ?? `msg_${hexId(1)}`;
  const message = responseMessageItem(text, item_id);
  const inProgress = responsesResponse({ ...o, status: 'in_progress', output: [], usage: null });
  let sequence_number = 0;
  // Field order follows the openai-python event models; `type` and `sequence_number` sit where they declare them.
  const event = (type: string, fields: Record<string, unknown>) => sseEvent({ ...fields, type }, type);
  const at = { content_index: 0, item_id, output_index: 0 };
  return [
    event('response.created', { response: inProgress, sequence_number: sequence_number++ }),
    event('response.in_progress', { response: inProgress, sequence_number: sequence_number++ }),
    event('response.output_item.added', {
      item: responseMessageItem('', item_id, 'in_progress'),
      output_index: 0,
      sequence_number: sequence_number++,
    }),
    event('response.content_part.added', { ...at, part: outputText(''), sequence_number: sequence_number++ }),
    ...o.deltas.map((delta) =>
      event('response.output_text.delta', {
        content_index: 0,
        delta,
        item_id,
        logprobs: [],
        output_index: 0,
        sequence_number: sequence_number++,
      }),
    ),
    event('response.output_text.done', {
      content_index: 0,
      item_id,
      logprobs: [],
      output_index: 0,
      sequence_number: sequence_number++,
      text,
    }),
    event('response.content_part.done', { ...at, part: outputText(text), sequence_number: sequence_number++ }),
    event('response.output_item.done', { item: message, output_index: 0, sequence_number: sequence_number++ }),
    event('response.completed', {
      response: responsesResponse({ ...o, output: o.output ?? [message] }),
      sequence_number: sequence_number++,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Models and errors

/** A `GET /v1/models` body. */
export function modelList(models: string[], o: { created?: number; maxModelLen?: number } = {}) {
  const created = o.created ?? DEFAULT_CREATED;
  return {
    object: 'list',
    data: models.map((id, index) => ({
      id,
      object: 'model',
      created,
      owned_by: 'vllm',
      root: id,
      parent: null,
      max_model_len: o.maxModelLen ?? 32768,
      permission: [
        {
          id: `modelperm-${hexId(index + 1)}`,
          object: 'model_permission',
          created,
          allow_create_engine: false,
          allow_sampling: true,
          allow_logprobs: true,
          allow_search_indices: false,
          allow_view: true,
          allow_fine_tuning: false,
          organization: '*',
          group: null,
          is_blocking: false,
        },
      ],
    })),
  };
}

/** The flat error body of vLLM up to ~0.9 (fixture 02). */
export function flatError(message: string, type = 'BadRequestError', code = 400, param: string | null = null) {
  return { object: 'error', message, type, param, code };
}

/** The nested error body of vLLM from ~0.10. */
export function nestedError(message: string, type = 'BadRequestError', code = 400, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/** A mid-stream failure as vLLM sends it with HTTP 200: plain `json.dumps` (spaces, ASCII escapes) of a nested error. */
export function streamErrorEvent(message: string, type = 'BadRequestError', code = 400): string {
  return sseEvent(pythonJsonDumps(nestedError(message, type, code)));
}
