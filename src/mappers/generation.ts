import type { Attributes } from '@opentelemetry/api';
import type { Usage } from '../wire/chat';
import {
  addFinishAttributes,
  addInvocationParametersAttributes,
  addModelAttributes,
  addResponseIdentityAttributes,
  addSamplingAttributes,
  addUsageAttributes,
  type SamplingParameters,
} from './common';
import { addGenAiRequestAttributes, type GenAiRequestFacts } from './gen-ai-request';
import { addVllmRequestAttributes } from './vllm-request';
import { addVllmResponseAttributes, type VllmResponseFacts } from './vllm-response';

// Chat and text completions share their request parameters and their response summary; only the
// content (messages or prompts, message or text choices) differs between the two mappers.

/** A chat or completion request, as far as its shared attributes go. */
type GenerationRequest = SamplingParameters & GenAiRequestFacts & { model?: string | null };

/** Model, sampling parameters, stream/output type and `llm.invocation_parameters` of a generation request. */
export function addGenerationRequestAttributes(
  attributes: Attributes,
  request: GenerationRequest,
  contentKeys: readonly string[],
): void {
  addModelAttributes(attributes, request.model);
  addSamplingAttributes(attributes, request);
  addGenAiRequestAttributes(attributes, request);
  addVllmRequestAttributes(attributes, request as Record<string, unknown>);
  addInvocationParametersAttributes(attributes, request as Record<string, unknown>, contentKeys);
}

/** Identity, finish and stop reasons in choice order, usage, and vLLM's service tier and KV transfer of a generation response. */
export function addGenerationResponseAttributes(
  attributes: Attributes,
  response: VllmResponseFacts & {
    id?: string | null;
    model?: string | null;
    choices: ReadonlyArray<{ finish_reason?: string | null; stop_reason?: number | string | null }>;
    usage?: Usage | null;
  },
): void {
  addResponseIdentityAttributes(attributes, response);
  addFinishAttributes(attributes, response.choices);
  addUsageAttributes(attributes, response.usage);
  addVllmResponseAttributes(attributes, response);
}
