import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { ContentPart, ToolCall } from '../wire/chat';

/** A chat message as far as the message attributes need it (request or response side). */
export interface MappableMessage {
  role?: string | null;
  content?: string | Array<ContentPart | string> | null;
  name?: string | null;
  tool_call_id?: string | null;
  tool_calls?: ToolCall[] | null;
  reasoning?: string | null;
  reasoning_content?: string | null;
  refusal?: string | null;
}

/** The keys of one message's scalar fields, and the prefix of its tool-call and content-part keys. */
interface MessageKeys {
  prefix: string;
  role: string;
  content: string;
  name: string;
  toolCallId: string;
  reasoning: string;
  refusal: string;
}

// Built once per list and index: the same few keys are written for every span.
const CACHED_INDEXES = 64;
const keyCache = new Map<string, MessageKeys[]>();

function messageKeys(list: string, index: number): MessageKeys {
  const build = (): MessageKeys => {
    const prefix = `${list}.${index}`;
    return {
      prefix,
      role: `${prefix}.${A.MESSAGE_ROLE}`,
      content: `${prefix}.${A.MESSAGE_CONTENT}`,
      name: `${prefix}.${A.MESSAGE_NAME}`,
      toolCallId: `${prefix}.${A.MESSAGE_TOOL_CALL_ID}`,
      reasoning: `${prefix}.${A.MESSAGE_REASONING}`,
      refusal: `${prefix}.${A.MESSAGE_REFUSAL}`,
    };
  };
  if (index >= CACHED_INDEXES) return build();
  let keys = keyCache.get(list);
  if (keys === undefined) keyCache.set(list, (keys = []));
  return (keys[index] ??= build());
}

/** Whether the mapping options ask for OpenInference's per-message form (`semconv: 'all' | 'openinference'`). */
export function writesOpenInferenceMessages(options: { semconv?: string } | undefined): boolean {
  return options?.semconv === 'all' || options?.semconv === 'openinference';
}

/**
 * `{list}.{index}.role|content|name|reasoning|refusal|tool_call_id|tool_calls.*|contents.*` of one message
 * (the seed's flat form), and with `openInference` also OpenInference's
 * `{list}.{index}.message.role|content|name|tool_call_id|tool_calls.{m}.tool_call.*|contents.{m}.message_content.*`,
 * which Phoenix and Arize AX build their message lists from (Arize-ai/openinference
 * spec/semantic_conventions.md). Both share the `{list}.{index}.` prefix, so the attribute
 * budget keeps or drops them together, message by message (src/rewrite/span-writer.ts).
 */
export function addMessageAttributes(attributes: Attributes, list: string, index: number, message: MappableMessage, openInference = false): void {
  if (openInference) addOpenInferenceMessageAttributes(attributes, `${list}.${index}`, message);
  const keys = messageKeys(list, index);
  const prefix = keys.prefix;
  if (typeof message.role === 'string') attributes[keys.role] = message.role;
  if (typeof message.content === 'string') attributes[keys.content] = message.content;
  else if (Array.isArray(message.content)) addContentPartAttributes(attributes, prefix, message.content);
  if (typeof message.name === 'string') attributes[keys.name] = message.name;
  if (typeof message.tool_call_id === 'string') attributes[keys.toolCallId] = message.tool_call_id;
  const reasoning = message.reasoning ?? message.reasoning_content;
  if (typeof reasoning === 'string') attributes[keys.reasoning] = reasoning;
  if (typeof message.refusal === 'string') attributes[keys.refusal] = message.refusal;
  message.tool_calls?.forEach((call, index) => {
    if (typeof call.id === 'string') attributes[`${prefix}.${A.toolCallSuffix(index, A.TOOL_CALL_ID)}`] = call.id;
    if (typeof call.function?.name === 'string') attributes[`${prefix}.${A.toolCallSuffix(index, A.TOOL_CALL_FUNCTION_NAME)}`] = call.function.name;
    if (typeof call.function?.arguments === 'string') {
      attributes[`${prefix}.${A.toolCallSuffix(index, A.TOOL_CALL_FUNCTION_ARGUMENTS)}`] = call.function.arguments;
    }
  });
}

/** `llm.input_messages.{n}.*` of a conversation, in order. */
export function addInputMessagesAttributes(attributes: Attributes, messages: readonly MappableMessage[], openInference = false): void {
  for (let index = 0; index < messages.length; index++) addMessageAttributes(attributes, A.LLM_INPUT_MESSAGES, index, messages[index], openInference);
}

/** OpenInference's form of one message under `prefix` (`llm.input_messages.{n}`). Reasoning has no key there. */
function addOpenInferenceMessageAttributes(attributes: Attributes, prefix: string, message: MappableMessage): void {
  if (typeof message.role === 'string') attributes[`${prefix}.${A.OI_MESSAGE_ROLE}`] = message.role;
  if (typeof message.content === 'string') attributes[`${prefix}.${A.OI_MESSAGE_CONTENT}`] = message.content;
  else if (Array.isArray(message.content)) {
    message.content.forEach((entry, index) => {
      const part: ContentPart = typeof entry === 'string' ? { type: 'text', text: entry } : entry;
      const key = (suffix: string) => `${prefix}.${A.oiContentPartSuffix(index, suffix)}`;
      const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url;
      if (typeof part.text === 'string') {
        attributes[key(A.OI_CONTENT_TYPE)] = 'text';
        attributes[key(A.OI_CONTENT_TEXT)] = part.text;
      } else if (typeof url === 'string') {
        attributes[key(A.OI_CONTENT_TYPE)] = 'image';
        attributes[key(A.OI_CONTENT_IMAGE_URL)] = url;
      } else if (typeof part.type === 'string') attributes[key(A.OI_CONTENT_TYPE)] = part.type;
    });
  }
  if (typeof message.name === 'string') attributes[`${prefix}.${A.OI_MESSAGE_NAME}`] = message.name;
  if (typeof message.tool_call_id === 'string') attributes[`${prefix}.${A.OI_MESSAGE_TOOL_CALL_ID}`] = message.tool_call_id;
  message.tool_calls?.forEach((call, index) => {
    const key = (suffix: string) => `${prefix}.${A.oiToolCallSuffix(index, suffix)}`;
    if (typeof call.id === 'string') attributes[key(A.OI_TOOL_CALL_ID)] = call.id;
    if (typeof call.function?.name === 'string') attributes[key(A.OI_TOOL_CALL_FUNCTION_NAME)] = call.function.name;
    if (typeof call.function?.arguments === 'string') attributes[key(A.OI_TOOL_CALL_FUNCTION_ARGUMENTS)] = call.function.arguments;
  });
}

function addContentPartAttributes(attributes: Attributes, prefix: string, parts: Array<ContentPart | string>): void {
  parts.forEach((entry, index) => {
    // vLLM accepts a bare string as a text part.
    const part: ContentPart = typeof entry === 'string' ? { type: 'text', text: entry } : entry;
    if (typeof part.type === 'string') attributes[`${prefix}.${A.contentPartSuffix(index, A.CONTENT_TYPE)}`] = part.type;
    if (typeof part.text === 'string') attributes[`${prefix}.${A.contentPartSuffix(index, A.CONTENT_TEXT)}`] = part.text;
    const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url;
    if (typeof url === 'string') attributes[`${prefix}.${A.contentPartSuffix(index, A.CONTENT_IMAGE_URL)}`] = url;
  });
}
