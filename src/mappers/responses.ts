import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { ContentPart, ToolCall, Usage } from '../wire/chat';
import type {
  ResponsesFunctionCall,
  ResponsesInputContentPart,
  ResponsesInputItem,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesReasoningItem,
  ResponsesRequest,
  ResponsesResponse,
  ResponsesUsage,
} from '../wire/responses';
import { addInvocationParametersAttributes, addModelAttributes, addSamplingAttributes } from './common';
import type { MappingOptions } from '../endpoints/endpoint-handler';
import {
  getGenAiInputMessagesAttributes,
  getGenAiOutputMessagesAttributes,
  getGenAiSystemInstructionsAttributes,
  getGenAiToolDefinitionsAttributes,
} from './gen-ai-content';
import { addGenAiRequestAttributes } from './gen-ai-request';
import { addGenerationResponseAttributes } from './generation';
import { addInputMessagesAttributes, addMessageAttributes, writesOpenInferenceMessages, type MappableMessage } from './messages';
import { addVllmRequestAttributes } from './vllm-request';

const RESPONSES_CONTENT_KEYS = ['input', 'instructions', 'tools', 'model'] as const;

/**
 * Attributes of a validated Responses request: model, parameters, tools, and the input as
 * `llm.input_messages`: `instructions` first as the system message (as vLLM renders it),
 * then a text input as one user message, or each input item as the message it stands for.
 */
export function getResponsesRequestAttributes(request: ResponsesRequest, options?: MappingOptions): Attributes {
  const { max_output_tokens, temperature, top_p, top_k } = request;
  const attributes: Attributes = {};
  addModelAttributes(attributes, request.model);
  addSamplingAttributes(attributes, { max_tokens: max_output_tokens, temperature, top_p, top_k });
  // The output format sits in `text.format` here (`{type, schema?}`, as chat's `response_format`).
  const text = request.text;
  addGenAiRequestAttributes(attributes, { stream: request.stream, response_format: typeof text === 'object' && text !== null ? (text as { format?: unknown }).format : undefined });
  addVllmRequestAttributes(attributes, request);
  addInvocationParametersAttributes(attributes, request, RESPONSES_CONTENT_KEYS);
  addInputMessagesAttributes(attributes, inputMessages(request), writesOpenInferenceMessages(options));
  if (Array.isArray(request.tools) && request.tools.length > 0) attributes[A.LLM_TOOLS] = JSON.stringify(request.tools);
  if (options?.genAiContent) {
    // The conventions keep `instructions` apart from the conversation, unlike llm.input_messages.
    Object.assign(
      attributes,
      getGenAiSystemInstructionsAttributes(request.instructions),
      getGenAiInputMessagesAttributes(itemMessages(request)),
      getGenAiToolDefinitionsAttributes(request.tools),
    );
  }
  return attributes;
}

/**
 * Attributes of a validated (or stream-aggregated) Responses body: identity, usage (reasoning
 * tokens included), a finish reason, and the output items folded into one assistant message
 * `llm.output_messages.0`: the text of the message items, the reasoning text, the function calls.
 */
export function getResponsesResponseAttributes(response: ResponsesResponse, _request?: unknown, options?: MappingOptions): Attributes {
  const attributes: Attributes = {};
  const finishReason = finishReasonOf(response);
  // One choice's worth of finish reason: the shared generation summary applies as it is.
  const choices = finishReason === undefined ? [] : [{ finish_reason: finishReason }];
  addGenerationResponseAttributes(attributes, { id: response.id, model: response.model, choices, usage: toUsage(response.usage) });
  const message = outputMessage(response.output);
  if (message !== undefined) addMessageAttributes(attributes, A.LLM_OUTPUT_MESSAGES, 0, message, writesOpenInferenceMessages(options));
  if (message !== undefined && options?.genAiContent) {
    Object.assign(attributes, getGenAiOutputMessagesAttributes([{ index: 0, message, finish_reason: finishReason }]));
  }
  return attributes;
}

function inputMessages(request: ResponsesRequest): MappableMessage[] {
  const items = itemMessages(request);
  return typeof request.instructions === 'string' ? [{ role: 'system', content: request.instructions }, ...items] : items;
}

/** The input without `instructions`: a text input as one user message, or each item as the message it stands for. */
function itemMessages(request: ResponsesRequest): MappableMessage[] {
  const messages: MappableMessage[] = [];
  if (typeof request.input === 'string') messages.push({ role: 'user', content: request.input });
  else {
    for (const item of request.input) {
      const message = inputItemMessage(item);
      if (message !== undefined) messages.push(message);
    }
  }
  return messages;
}

function inputItemMessage(item: ResponsesInputItem): MappableMessage | undefined {
  switch (item.type) {
    case undefined:
    case 'message':
      return typeof item.role === 'string' ? { role: item.role, content: inputContent(item.content) } : undefined;
    case 'function_call':
      return { role: 'assistant', tool_calls: [{ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } }] };
    case 'function_call_output':
      return { role: 'tool', tool_call_id: item.call_id, content: typeof item.output === 'string' ? item.output : null };
    default:
      // reasoning, item_reference, ...: context for the model, but no message of their own.
      return undefined;
  }
}

function inputContent(content: ResponsesInputItem['content']): string | ContentPart[] | null | undefined {
  if (!Array.isArray(content)) return content;
  return content.map((part: ResponsesInputContentPart) => ({
    type: part.type,
    text: part.text,
    image_url: typeof part.image_url === 'string' ? part.image_url : undefined,
  }));
}

/** vLLM derives `status` from the engine's finish reason (stop → completed, length → incomplete); this maps it back. */
function finishReasonOf(response: ResponsesResponse): string | undefined {
  switch (response.status) {
    case 'completed':
      return 'stop';
    case 'incomplete': {
      const reason = response.incomplete_details?.reason;
      return reason === 'max_output_tokens' ? 'length' : reason ?? 'incomplete';
    }
    case 'failed':
    case 'cancelled':
      return response.status;
    default:
      // queued, in_progress: the response did not finish.
      return undefined;
  }
}

function outputMessage(items: readonly ResponsesOutputItem[]): MappableMessage | undefined {
  let role: string | null | undefined;
  const parts: ContentPart[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const item of items) {
    if (item.type === 'message') {
      const message = item as ResponsesOutputMessage;
      role ??= message.role;
      for (const part of message.content) {
        if (typeof part.text === 'string') parts.push({ type: 'text', text: part.text });
        else if (typeof part.refusal === 'string') parts.push({ type: 'refusal', text: part.refusal });
      }
    } else if (item.type === 'reasoning') {
      const { content, summary } = item as ResponsesReasoningItem;
      const texts = content?.length ? content : summary ?? [];
      if (texts.length > 0) reasoning.push(texts.map(part => part.text).join(''));
    } else if (item.type === 'function_call') {
      const call = item as ResponsesFunctionCall;
      toolCalls.push({ id: call.call_id, type: 'function', function: { name: call.name, arguments: call.arguments } });
    }
  }
  if (parts.length === 0 && reasoning.length === 0 && toolCalls.length === 0) return undefined;
  return {
    role: role ?? 'assistant',
    // One text part reads as plain content, like a chat message; anything else keeps its parts.
    content: parts.length === 1 && parts[0].type === 'text' ? parts[0].text : parts.length > 0 ? parts : null,
    reasoning: reasoning.length > 0 ? reasoning.join('\n') : null,
    tool_calls: toolCalls,
  };
}

function toUsage(usage: ResponsesUsage | null | undefined): Usage | undefined {
  if (usage == null) return undefined;
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: { cached_tokens: usage.input_tokens_details?.cached_tokens },
    completion_tokens_details: { reasoning_tokens: usage.output_tokens_details?.reasoning_tokens },
  };
}
