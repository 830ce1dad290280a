import type { ChatChoice, ChatCompletionChunk, ChatCompletionResponse, ToolCall, ToolCallDelta } from '../wire/chat';
import { EventTemplate } from './event-template';
import { StreamEnvelope } from './stream-envelope';

/** The delta field that carries a token chunk's text. */
type TokenField = 'content' | 'reasoning' | 'reasoning_content';
const TOKEN_FIELDS: readonly string[] = ['content', 'reasoning', 'reasoning_content'] satisfies TokenField[];

// Learning a template costs about one extra parse; a stream whose chunks never repeat stops trying.
const MAX_TEMPLATE_ATTEMPTS = 4;

/** One choice while its deltas are arriving. */
interface ChoiceState {
  role: string | undefined;
  content: string;
  reasoning: string;
  /** Tool calls by their `index`: id, type and name are taken once, argument fragments appended. */
  toolCalls: Map<number, { id: string | null; type: string | null; name: string; arguments: string }>;
  finishReason: string | null;
  stopReason: number | string | null;
}

/**
 * Folds `chat.completion.chunk` events into the `chat.completion` a non-stream call
 * would have returned, so one mapper serves both. Content is concatenated per choice,
 * tool calls are assembled by index, and usage is the last one seen: the `choices: []`
 * chunk of `include_usage`, or the cumulative usage of `continuous_usage_stats`.
 */
export class ChatStreamAggregator {
  private readonly envelope = new StreamEnvelope();
  private readonly choices = new Map<number, ChoiceState>();
  private template: EventTemplate<ChatCompletionChunk> | undefined;
  private templateField: TokenField = 'content';
  private templateAttempts = 0;

  /** Folds in one validated chunk. */
  add(chunk: ChatCompletionChunk): void {
    this.envelope.add(chunk);
    for (const choice of chunk.choices) {
      const state = this.choiceState(choice.index);
      const delta = choice.delta;
      if (delta.role != null) state.role = delta.role;
      if (typeof delta.content === 'string') state.content += delta.content;
      // vLLM renamed `reasoning_content` to `reasoning`; builds in between send both with the same text.
      const reasoning = delta.reasoning ?? delta.reasoning_content;
      if (typeof reasoning === 'string') state.reasoning += reasoning;
      if (delta.tool_calls != null) this.addToolCallDeltas(state, delta.tool_calls);
      if (choice.finish_reason != null) state.finishReason = choice.finish_reason;
      if (choice.stop_reason != null) state.stopReason = choice.stop_reason;
    }
  }

  /** Folds in a chunk given as text when it is the learnt token chunk with another token; false otherwise. */
  addText(text: string): boolean {
    const token = this.template?.match(text);
    if (token === undefined) return false;
    const template = this.template!.event;
    this.envelope.add(template);
    const state = this.choiceState(template.choices[0].index);
    if (this.templateField === 'content') state.content += token;
    else state.reasoning += token;
    return true;
  }

  /** Learns a template from a validated token chunk and its text, for `addText`. */
  learn(chunk: ChatCompletionChunk, text: string): void {
    if (this.templateAttempts >= MAX_TEMPLATE_ATTEMPTS) return;
    const field = tokenFieldOf(chunk);
    if (field === undefined) return;
    this.templateAttempts++;
    const template = EventTemplate.fromEvent(chunk, text, `"delta":{"${field}":`, probe => tokenOf(probe, field));
    if (template === undefined) return;
    this.template = template;
    this.templateField = field;
  }

  /** The aggregated response, or undefined when no chunk arrived. */
  result(): ChatCompletionResponse | undefined {
    if (this.envelope.chunkCount === 0) return undefined;
    const choices: ChatChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, state]) => ({
        index,
        message: {
          role: state.role ?? 'assistant',
          // A stream opens with `content: ""`; report null like the non-stream body when nothing followed.
          content: state.content === '' ? null : state.content,
          reasoning: state.reasoning === '' ? null : state.reasoning,
          tool_calls: [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => toToolCall(call)),
        },
        finish_reason: state.finishReason,
        stop_reason: state.stopReason,
      }));
    const { id, model, created, system_fingerprint, usage } = this.envelope.fields();
    return { id, object: 'chat.completion', model, created, system_fingerprint, choices, usage };
  }

  private choiceState(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (state === undefined) {
      state = { role: undefined, content: '', reasoning: '', toolCalls: new Map(), finishReason: null, stopReason: null };
      this.choices.set(index, state);
    }
    return state;
  }

  private addToolCallDeltas(state: ChoiceState, deltas: ToolCallDelta[]): void {
    for (let position = 0; position < deltas.length; position++) {
      const delta = deltas[position];
      // `index` is required by the protocol; fall back to the position for servers that omit it.
      const index = delta.index ?? position;
      let call = state.toolCalls.get(index);
      if (call === undefined) {
        call = { id: null, type: null, name: '', arguments: '' };
        state.toolCalls.set(index, call);
      }
      // Identity is set once per index: some builds repeat the id, type or name on every delta
      // (v0.7's named-function tool_choice path sends the name with each argument fragment).
      if (call.id === null && isNonEmpty(delta.id)) call.id = delta.id;
      if (call.type === null && isNonEmpty(delta.type)) call.type = delta.type;
      if (call.name === '' && isNonEmpty(delta.function?.name)) call.name = delta.function.name;
      // Arguments are the only field that arrives in fragments.
      if (typeof delta.function?.arguments === 'string') call.arguments += delta.function.arguments;
    }
  }
}

/**
 * The field of a token chunk: one choice whose delta holds one string field, content or
 * reasoning, and nothing that ends the choice or carries usage. Only such a chunk is folded
 * by `addText` as `content += token` alone, exactly what `add` would do with it.
 */
function tokenFieldOf(chunk: ChatCompletionChunk): TokenField | undefined {
  if (chunk.choices.length !== 1 || chunk.usage != null) return undefined;
  const choice = chunk.choices[0];
  if (choice.finish_reason != null || choice.stop_reason != null) return undefined;
  const fields = Object.keys(choice.delta);
  if (fields.length !== 1 || !TOKEN_FIELDS.includes(fields[0])) return undefined;
  const field = fields[0] as TokenField;
  return typeof choice.delta[field] === 'string' ? field : undefined;
}

/** The token of a parsed probe chunk (anything JSON.parse gives), or undefined. */
function tokenOf(probe: unknown, field: TokenField): unknown {
  const choices = (probe as { choices?: unknown } | undefined)?.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const delta = (choices[0] as { delta?: Record<string, unknown> } | null)?.delta;
  return typeof delta === 'object' && delta !== null ? delta[field] : undefined;
}

function isNonEmpty(value: string | null | undefined): value is string {
  return typeof value === 'string' && value !== '';
}

function toToolCall(call: { id: string | null; type: string | null; name: string; arguments: string }): ToolCall {
  return { id: call.id, type: call.type ?? 'function', function: { name: call.name, arguments: call.arguments } };
}
