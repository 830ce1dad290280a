import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { CompletionRequest, CompletionResponse } from '../wire/completion';
import { addGenerationRequestAttributes, addGenerationResponseAttributes } from './generation';
import { addPromptAttributes } from './inputs';

// Fields of a completion request that are content or identity, not invocation parameters.
// `prompt_embeds` is base64 tensors: content, and far too large for a parameter list.
const COMPLETION_CONTENT_KEYS = ['prompt', 'suffix', 'prompt_embeds', 'model'] as const;

/** Attributes of a validated completion request: model, prompts (`llm.prompts.{i}`) and parameters. */
export function getCompletionRequestAttributes(request: CompletionRequest): Attributes {
  const attributes: Attributes = {};
  addGenerationRequestAttributes(attributes, request, COMPLETION_CONTENT_KEYS);
  addPromptAttributes(attributes, request.prompt);
  return attributes;
}

/**
 * Attributes of a validated (or stream-aggregated) completion: each choice's text as
 * `llm.output_messages.{index}.content` (vLLM numbers choices prompt by prompt: prompt·n + i),
 * finish reasons in choice order, usage. A completion has no role, so none is recorded.
 */
export function getCompletionResponseAttributes(response: CompletionResponse): Attributes {
  const attributes: Attributes = {};
  addGenerationResponseAttributes(attributes, response);
  for (const choice of response.choices) attributes[A.outputMessageKey(choice.index, A.MESSAGE_CONTENT)] = choice.text;
  return attributes;
}
