import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { ContentPart, ToolCall } from '../wire/chat';
import { parseJson } from '../interpret/body';
import { quoteJson, StringLiteralCursor } from './json-literals';
import type { MappableMessage } from './messages';

/**
 * The GenAI content attributes, as JSON strings in the shapes of the conventions' schemas
 * (semantic-conventions v1.41.1 docs/gen-ai/gen-ai-input-messages.json, gen-ai-output-messages.json,
 * gen-ai-system-instructions.json, gen-ai-tool-definitions.json). Only called when
 * `genAiContent` is on (the default); masking redacts inside them (src/privacy/masking.ts).
 */

/** One part of a GenAI message. */
export type GenAiPart =
  | { type: 'text' | 'reasoning'; content: string }
  | GenAiToolCallPart
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: 'blob'; modality: string; mime_type?: string; content: string }
  | { type: 'uri'; modality: string; uri: string }
  | { type: string };

/** A tool call the model requested. */
export interface GenAiToolCallPart {
  type: 'tool_call';
  id?: string;
  name: string;
  arguments?: unknown;
}

/** One GenAI message: input messages carry `name`, output messages `finish_reason`. */
export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
  name?: string;
  finish_reason?: string;
}

/**
 * `gen_ai.input.messages` of a chat conversation, in the order sent. `sourceText`, the request
 * body's JSON text when it parsed, lends the messages' `content` literals already escaped.
 */
export function getGenAiInputMessagesAttributes(messages: readonly MappableMessage[], sourceText?: string): Attributes {
  return { [A.GEN_AI_INPUT_MESSAGES]: messagesJson(messages.map(toInputMessage), contentCursor(sourceText)) };
}

/**
 * `gen_ai.output.messages`: one message per choice, in choice order. `sourceText`, the response
 * body's JSON text (or a stream's folded body as JSON), lends the `content` literals already escaped.
 */
export function getGenAiOutputMessagesAttributes(
  choices: ReadonlyArray<{ index: number; message: MappableMessage; finish_reason?: string | null }>,
  sourceText?: string,
): Attributes {
  const messages = [...choices].sort((a, b) => a.index - b.index).map(choice => {
    const message: GenAiMessage = { role: choice.message.role ?? 'assistant', parts: messageParts(choice.message) };
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') message.finish_reason = toFinishReason(choice.finish_reason);
    return message;
  });
  return { [A.GEN_AI_OUTPUT_MESSAGES]: messagesJson(messages, contentCursor(sourceText)) };
}

function contentCursor(sourceText: string | undefined): StringLiteralCursor | undefined {
  return sourceText === undefined ? undefined : new StringLiteralCursor(sourceText, 'content');
}

/** JSON.stringify(messages), written by hand so that text parts take their literal from `cursor` where it has it. */
function messagesJson(messages: readonly GenAiMessage[], cursor: StringLiteralCursor | undefined): string {
  let json = '[';
  for (let i = 0; i < messages.length; i++) {
    const { role, parts, name, finish_reason: finishReason } = messages[i];
    json += `${i === 0 ? '' : ','}{"role":${JSON.stringify(role)},"parts":[`;
    for (let j = 0; j < parts.length; j++) json += (j === 0 ? '' : ',') + partJson(parts[j], cursor);
    json += ']';
    if (name !== undefined) json += `,"name":${JSON.stringify(name)}`;
    if (finishReason !== undefined) json += `,"finish_reason":${JSON.stringify(finishReason)}`;
    json += '}';
  }
  return `${json}]`;
}

function partJson(part: GenAiPart, cursor: StringLiteralCursor | undefined): string {
  return part instanceof MessageContentPart ? `{"type":"text","content":${quoteJson(part.content, cursor)}}` : JSON.stringify(part);
}

/** The text part of a message whose `content` is a string: the one part with a `content` literal of its own in the body. */
class MessageContentPart {
  readonly type: 'text';
  readonly content: string;

  constructor(content: string) {
    // Assigned in this order: JSON.stringify writes keys as the conventions' examples do, type first.
    this.type = 'text';
    this.content = content;
  }
}

/**
 * The `gen_ai.output.messages` JSON with `finish_reason: reason` on each message without one (a
 * stream cut before its last chunk: its schema requires one); undefined when none lacks it.
 */
export function withFinishReason(json: string, reason: string): string | undefined {
  const messages = parseJson(json);
  if (!Array.isArray(messages)) return undefined;
  let changed = false;
  for (const message of messages as Array<Partial<GenAiMessage> | null>) {
    if (typeof message === 'object' && message !== null && message.finish_reason === undefined) {
      message.finish_reason = reason;
      changed = true;
    }
  }
  return changed ? JSON.stringify(messages) : undefined;
}

/**
 * `gen_ai.system_instructions` for APIs that take instructions beside the conversation (the
 * Responses API's `instructions`). Chat system messages are part of the history and stay in
 * `gen_ai.input.messages`, as the conventions ask.
 */
export function getGenAiSystemInstructionsAttributes(instructions: string | ReadonlyArray<ContentPart | string> | null | undefined): Attributes {
  if (instructions == null || instructions.length === 0) return {};
  const parts = typeof instructions === 'string' ? [textPart(instructions)] : instructions.map(toContentPart);
  return { [A.GEN_AI_SYSTEM_INSTRUCTIONS]: JSON.stringify(parts) };
}

/** A tool as chat (`{type, function:{name, ...}}`) or the Responses API (`{type, name, ...}`) sends it. */
export interface ToolDefinitionLike {
  type: string;
  name?: string | null;
  description?: string | null;
  parameters?: unknown;
  function?: { name: string; description?: string | null; parameters?: unknown };
}

/** `gen_ai.tool.definitions`: `{type, name, description?, parameters?}` per tool. */
export function getGenAiToolDefinitionsAttributes(tools: readonly ToolDefinitionLike[] | null | undefined): Attributes {
  if (!Array.isArray(tools) || tools.length === 0) return {};
  const definitions = tools.map(tool => {
    const source = tool.function ?? tool;
    const definition: Record<string, unknown> = { type: tool.type, name: source.name ?? '' };
    if (source.description != null) definition.description = source.description;
    if (source.parameters !== undefined) definition.parameters = source.parameters;
    return definition;
  });
  return { [A.GEN_AI_TOOL_DEFINITIONS]: JSON.stringify(definitions) };
}

function toInputMessage(message: MappableMessage): GenAiMessage {
  const role = message.role ?? 'user';
  const parts: GenAiPart[] =
    role === 'tool'
      ? [{ type: 'tool_call_response', ...optionalId(message.tool_call_id), response: textOf(message.content) }]
      : messageParts(message);
  const result: GenAiMessage = { role, parts };
  if (typeof message.name === 'string') result.name = message.name;
  return result;
}

/** Reasoning first (it came first), then the content, then the tool calls. */
function messageParts(message: MappableMessage): GenAiPart[] {
  const parts: GenAiPart[] = [];
  const reasoning = message.reasoning ?? message.reasoning_content;
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', content: reasoning });
  if (typeof message.content === 'string') parts.push(new MessageContentPart(message.content));
  else if (Array.isArray(message.content)) parts.push(...message.content.map(toContentPart));
  for (const call of message.tool_calls ?? []) parts.push(toolCallPart(call));
  return parts;
}

function textPart(content: string): GenAiPart {
  return { type: 'text', content };
}

// vLLM's multimodal parts: {type, <type>: {url}} for image_url, audio_url and video_url.
const URL_PART_MODALITIES: Readonly<Record<string, string>> = { image_url: 'image', audio_url: 'audio', video_url: 'video' };

function toContentPart(entry: ContentPart | string): GenAiPart {
  if (typeof entry === 'string') return textPart(entry);
  if (typeof entry.text === 'string') return textPart(entry.text);
  for (const [field, modality] of Object.entries(URL_PART_MODALITIES)) {
    const source = entry[field] as { url?: unknown } | string | undefined;
    const url = typeof source === 'string' ? source : source?.url;
    if (typeof url === 'string') return mediaPart(url, modality);
  }
  const audio = entry.input_audio as { data?: unknown; format?: unknown } | undefined;
  if (entry.type === 'input_audio' && typeof audio?.data === 'string') {
    return { type: 'blob', modality: 'audio', ...(typeof audio.format === 'string' ? { mime_type: `audio/${audio.format}` } : {}), content: audio.data };
  }
  // A part this package does not map: its type alone, never unmapped content.
  return { type: typeof entry.type === 'string' ? entry.type : 'unknown' };
}

const BASE64_DATA_URL = /^data:([^;,]*)(?:;[^;,]*)*;base64,/;

/** A base64 `data:` URL is inline data (a blob part); any other URL is a reference (a uri part). */
function mediaPart(url: string, modality: string): GenAiPart {
  const match = BASE64_DATA_URL.exec(url);
  if (match === null) return { type: 'uri', modality, uri: url };
  return { type: 'blob', modality, ...(match[1] !== '' ? { mime_type: match[1] } : {}), content: url.slice(match[0].length) };
}

function toolCallPart(call: ToolCall): GenAiPart {
  const part: GenAiToolCallPart = { type: 'tool_call', ...optionalId(call.id), name: call.function?.name ?? '' };
  if (typeof call.function?.arguments === 'string') part.arguments = parseArguments(call.function.arguments);
  return part;
}

/** Arguments arrive as a JSON string; the conventions record the object. Not JSON: kept as the string. */
function parseArguments(text: string): unknown {
  return parseJson(text) ?? text;
}

function optionalId(id: string | null | undefined): { id?: string } {
  return typeof id === 'string' ? { id } : {};
}

function textOf(content: MappableMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map(part => (typeof part === 'string' ? part : typeof part.text === 'string' ? part.text : '')).join('');
}

// The conventions' finish reasons; vLLM says `tool_calls` (and `function_call` for the legacy field).
function toFinishReason(reason: string): string {
  return reason === 'tool_calls' || reason === 'function_call' ? 'tool_call' : reason;
}
