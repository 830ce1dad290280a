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
}

/** `{prefix}.role|content|name|reasoning|tool_call_id|tool_calls.*|contents.*` of one message. */
export function getMessageAttributes(prefix: string, message: MappableMessage): Attributes {
  const attributes: Attributes = {};
  if (typeof message.role === 'string') attributes[`${prefix}.${A.MESSAGE_ROLE}`] = message.role;
  if (typeof message.content === 'string') attributes[`${prefix}.${A.MESSAGE_CONTENT}`] = message.content;
  else if (Array.isArray(message.content)) Object.assign(attributes, getContentPartAttributes(prefix, message.content));
  if (typeof message.name === 'string') attributes[`${prefix}.${A.MESSAGE_NAME}`] = message.name;
  if (typeof message.tool_call_id === 'string') attributes[`${prefix}.${A.MESSAGE_TOOL_CALL_ID}`] = message.tool_call_id;
  const reasoning = message.reasoning ?? message.reasoning_content;
  if (typeof reasoning === 'string') attributes[`${prefix}.${A.MESSAGE_REASONING}`] = reasoning;
  message.tool_calls?.forEach((call, index) => {
    if (typeof call.id === 'string') attributes[`${prefix}.${A.toolCallSuffix(index, A.TOOL_CALL_ID)}`] = call.id;
    if (typeof call.function?.name === 'string') attributes[`${prefix}.${A.toolCallSuffix(index, A.TOOL_CALL_FUNCTION_NAME)}`] = call.function.name;
    if (typeof call.function?.arguments === 'string') {
      attributes[`${prefix}.${A.toolCallSuffix(index, A.TOOL_CALL_FUNCTION_ARGUMENTS)}`] = call.function.arguments;
    }
  });
  return attributes;
}

/** `llm.input_messages.{n}.*` of a conversation, in order. */
export function getInputMessagesAttributes(messages: readonly MappableMessage[]): Attributes {
  const attributes: Attributes = {};
  messages.forEach((message, index) => Object.assign(attributes, getMessageAttributes(`${A.LLM_INPUT_MESSAGES}.${index}`, message)));
  return attributes;
}

function getContentPartAttributes(prefix: string, parts: Array<ContentPart | string>): Attributes {
  const attributes: Attributes = {};
  parts.forEach((entry, index) => {
    // vLLM accepts a bare string as a text part.
    const part: ContentPart = typeof entry === 'string' ? { type: 'text', text: entry } : entry;
    if (typeof part.type === 'string') attributes[`${prefix}.${A.contentPartSuffix(index, A.CONTENT_TYPE)}`] = part.type;
    if (typeof part.text === 'string') attributes[`${prefix}.${A.contentPartSuffix(index, A.CONTENT_TEXT)}`] = part.text;
    const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url;
    if (typeof url === 'string') attributes[`${prefix}.${A.contentPartSuffix(index, A.CONTENT_IMAGE_URL)}`] = url;
  });
  return attributes;
}
