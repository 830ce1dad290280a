import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { MappingOptions } from '../endpoints/endpoint-handler';
import type { ChatCompletionRequest, ChatCompletionResponse } from '../wire/chat';
import { addGenerationRequestAttributes, addGenerationResponseAttributes } from './generation';
import { getGenAiInputMessagesAttributes, getGenAiOutputMessagesAttributes, getGenAiToolDefinitionsAttributes } from './gen-ai-content';
import { addInputMessagesAttributes, addMessageAttributes, writesOpenInferenceMessages } from './messages';

// Fields of a chat request that are content or identity, not invocation parameters.
const CHAT_CONTENT_KEYS = ['messages', 'tools', 'model', 'functions'] as const;

/** Attributes of a validated chat request: model, messages, tools and parameters (and the `gen_ai.*` content, from `sourceText`'s literals where it has them). */
export function getChatRequestAttributes(request: ChatCompletionRequest, options?: MappingOptions, sourceText?: string): Attributes {
  const attributes: Attributes = {};
  addGenerationRequestAttributes(attributes, request, CHAT_CONTENT_KEYS);
  addInputMessagesAttributes(attributes, request.messages, writesOpenInferenceMessages(options));
  if (Array.isArray(request.tools) && request.tools.length > 0) attributes[A.LLM_TOOLS] = JSON.stringify(request.tools);
  if (options?.genAiContent) {
    Object.assign(attributes, getGenAiInputMessagesAttributes(request.messages, sourceText), getGenAiToolDefinitionsAttributes(request.tools));
  }
  return attributes;
}

/** Attributes of a validated (or stream-aggregated) chat response: outputs, finish reasons, usage; `sourceText` is its JSON text. */
export function getChatResponseAttributes(response: ChatCompletionResponse, _request?: unknown, options?: MappingOptions, sourceText?: string): Attributes {
  const attributes: Attributes = {};
  addGenerationResponseAttributes(attributes, response);
  const openInference = writesOpenInferenceMessages(options);
  for (const choice of response.choices) addMessageAttributes(attributes, A.LLM_OUTPUT_MESSAGES, choice.index, choice.message, openInference);
  if (options?.genAiContent) Object.assign(attributes, getGenAiOutputMessagesAttributes(response.choices, sourceText));
  return attributes;
}
