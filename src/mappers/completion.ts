import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { CompletionRequest, CompletionResponse } from '../wire/completion';
import { addGenerationRequestAttributes, addGenerationResponseAttributes } from './generation';
import type { MappingOptions } from '../endpoints/endpoint-handler';
import { getGenAiInputMessagesAttributes, getGenAiOutputMessagesAttributes } from './gen-ai-content';
import { addPromptAttributes, promptTexts } from './inputs';
import { writesOpenInferenceMessages } from './messages';

// Fields of a completion request that are content or identity, not invocation parameters.
// `prompt_embeds` is base64 tensors: content, and far too large for a parameter list.
const COMPLETION_CONTENT_KEYS = ['prompt', 'suffix', 'prompt_embeds', 'model'] as const;

/** Attributes of a validated completion request: model, prompts (`llm.prompts.{i}`) and parameters. */
export function getCompletionRequestAttributes(request: CompletionRequest, options?: MappingOptions): Attributes {
  const attributes: Attributes = {};
  addGenerationRequestAttributes(attributes, request, COMPLETION_CONTENT_KEYS);
  addPromptAttributes(attributes, request.prompt);
  // Datadog, New Relic and SigNoz show a prompt only from `gen_ai.input.messages`: each text prompt as a user message.
  const prompts = promptTexts(request.prompt);
  if (options?.genAiContent && prompts.length > 0) {
    Object.assign(attributes, getGenAiInputMessagesAttributes(prompts.map(text => ({ role: 'user', content: text }))));
  }
  return attributes;
}

/**
 * Attributes of a validated (or stream-aggregated) completion: each choice's text as
 * `llm.output_messages.{index}.content` (vLLM numbers choices prompt by prompt: prompt·n + i),
 * finish reasons in choice order, usage. A completion has no role, so none is recorded.
 */
export function getCompletionResponseAttributes(response: CompletionResponse, _request?: unknown, options?: MappingOptions): Attributes {
  const attributes: Attributes = {};
  addGenerationResponseAttributes(attributes, response);
  const openInference = writesOpenInferenceMessages(options);
  for (const choice of response.choices) {
    attributes[A.outputMessageKey(choice.index, A.MESSAGE_CONTENT)] = choice.text;
    if (openInference) attributes[A.outputMessageKey(choice.index, A.OI_MESSAGE_CONTENT)] = choice.text;
  }
  if (options?.genAiContent) {
    const choices = response.choices.map(choice => ({ index: choice.index, message: { role: 'assistant', content: choice.text }, finish_reason: choice.finish_reason }));
    Object.assign(attributes, getGenAiOutputMessagesAttributes(choices));
  }
  return attributes;
}
