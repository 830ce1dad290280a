import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { Usage } from '../wire/chat';

/**
 * Attributes every vLLM span carries. The kind is written twice: `fi.span.kind` (traceAI, Future AGI)
 * and `openinference.span.kind` (Phoenix and Arize AX show a span without it as UNKNOWN; Langfuse
 * reads it before `gen_ai.operation.name`), with the same value: LLM, EMBEDDING or RERANKER.
 */
export function getBaseAttributes(spanKind: string, operation: string): Attributes {
  return {
    [A.FI_SPAN_KIND]: spanKind,
    [A.OPENINFERENCE_SPAN_KIND]: spanKind,
    [A.LLM_SYSTEM]: A.VLLM_PROVIDER,
    [A.LLM_PROVIDER]: A.VLLM_PROVIDER,
    [A.GEN_AI_PROVIDER_NAME]: A.VLLM_PROVIDER,
    [A.GEN_AI_OPERATION_NAME]: operation,
  };
}

// The mappers write into one object (`add*Attributes(attributes, ...)`) instead of spreading small
// ones together: a request's or a response's attributes are built once, not copied at every level.

/**
 * `llm.model` (the seed's key), `llm.model_name` (read by Future AGI's collector, Phoenix, Arize AX
 * and Langfuse) and `gen_ai.request.model` from a request's `model`.
 */
export function addModelAttributes(attributes: Attributes, model: string | null | undefined): void {
  if (typeof model !== 'string') return;
  attributes[A.LLM_MODEL] = model;
  attributes[A.LLM_MODEL_NAME] = model;
  attributes[A.GEN_AI_REQUEST_MODEL] = model;
}

/** Token counts in both families; absent counts give no attribute. */
export function addUsageAttributes(attributes: Attributes, usage: Usage | null | undefined): void {
  if (usage == null) return;
  setNumber(attributes, A.LLM_TOKEN_COUNT_PROMPT, usage.prompt_tokens);
  setNumber(attributes, A.GEN_AI_USAGE_INPUT_TOKENS, usage.prompt_tokens);
  setNumber(attributes, A.LLM_TOKEN_COUNT_COMPLETION, usage.completion_tokens);
  setNumber(attributes, A.GEN_AI_USAGE_OUTPUT_TOKENS, usage.completion_tokens);
  setNumber(attributes, A.LLM_TOKEN_COUNT_TOTAL, usage.total_tokens);
  setNumber(attributes, A.LLM_TOKEN_COUNT_CACHE_READ, usage.prompt_tokens_details?.cached_tokens);
  setNumber(attributes, A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.prompt_tokens_details?.cached_tokens);
  setNumber(attributes, A.LLM_TOKEN_COUNT_REASONING, usage.completion_tokens_details?.reasoning_tokens);
  setNumber(attributes, A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.completion_tokens_details?.reasoning_tokens);
}

/** The sampling parameters shared by chat and text completions, in the GenAI family. */
export interface SamplingParameters {
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
}

/** `gen_ai.request.*` for the parameters that were sent. */
export function addSamplingAttributes(attributes: Attributes, request: SamplingParameters): void {
  setNumber(attributes, A.GEN_AI_REQUEST_MAX_TOKENS, request.max_completion_tokens ?? request.max_tokens);
  setNumber(attributes, A.GEN_AI_REQUEST_TEMPERATURE, request.temperature);
  setNumber(attributes, A.GEN_AI_REQUEST_TOP_P, request.top_p);
  // vLLM reads top_k 0 and -1 as "disabled" (consider every token): no limit to record.
  if (typeof request.top_k === 'number' && request.top_k >= 1) setNumber(attributes, A.GEN_AI_REQUEST_TOP_K, request.top_k);
  setNumber(attributes, A.GEN_AI_REQUEST_FREQUENCY_PENALTY, request.frequency_penalty);
  setNumber(attributes, A.GEN_AI_REQUEST_PRESENCE_PENALTY, request.presence_penalty);
  setNumber(attributes, A.GEN_AI_REQUEST_SEED, request.seed);
  setNumber(attributes, A.GEN_AI_REQUEST_CHOICE_COUNT, request.n);
  if (typeof request.stop === 'string') attributes[A.GEN_AI_REQUEST_STOP_SEQUENCES] = [request.stop];
  else if (Array.isArray(request.stop) && request.stop.length > 0) attributes[A.GEN_AI_REQUEST_STOP_SEQUENCES] = request.stop;
}

/** `llm.invocation_parameters`: the request without its content-bearing and routing fields. */
export function addInvocationParametersAttributes(attributes: Attributes, request: Record<string, unknown>, contentKeys: readonly string[]): void {
  const parameters: Record<string, unknown> = {};
  for (const key of Object.keys(request)) {
    if (!contentKeys.includes(key) && request[key] !== null) parameters[key] = request[key];
  }
  attributes[A.LLM_INVOCATION_PARAMETERS] = JSON.stringify(parameters);
}

/** `gen_ai.response.id|model` from any vLLM response body. */
export function addResponseIdentityAttributes(attributes: Attributes, response: { id?: string | null; model?: string | null }): void {
  if (typeof response.id === 'string') attributes[A.GEN_AI_RESPONSE_ID] = response.id;
  if (typeof response.model === 'string') attributes[A.GEN_AI_RESPONSE_MODEL] = response.model;
}

/** A new attribute set with what every pooling response carries: its identity and token usage. */
export function responseIdentityAndUsageAttributes(response: { id?: string | null; model?: string | null; usage?: Usage | null }): Attributes {
  const attributes: Attributes = {};
  addResponseIdentityAttributes(attributes, response);
  const usage = response.usage;
  // vLLM's rerank reports `total_tokens` alone; a pooling call generates nothing, so all of them were input
  // (the GenAI conventions have no total, so without this a GenAI backend would show no tokens at all).
  const allInput = usage != null && usage.prompt_tokens == null && usage.completion_tokens == null && typeof usage.total_tokens === 'number';
  addUsageAttributes(attributes, allInput ? { ...usage, prompt_tokens: usage.total_tokens } : usage);
  return attributes;
}

/**
 * Finish reasons in choice order, and vLLM's stop reasons beside them ("" where there was none).
 * Once any choice finished in a body that carries `stop_reason` (chat and completions always
 * do), the stop reasons are written even when all are null: "" then says "ended by EOS or
 * length, no stop string or stop token", which an absent key cannot tell apart from a cut
 * stream or an API without stop reasons (the Responses API).
 */
export function addFinishAttributes(
  attributes: Attributes,
  choices: ReadonlyArray<{ finish_reason?: string | null; stop_reason?: number | string | null }>,
): void {
  const finishReasons = choices.map(choice => choice.finish_reason ?? '');
  const stopReasons = choices.map(choice => (choice.stop_reason == null ? '' : String(choice.stop_reason)));
  const finished = finishReasons.some(reason => reason !== '');
  if (finished) attributes[A.GEN_AI_RESPONSE_FINISH_REASONS] = finishReasons;
  const reported = finished && choices.some(choice => 'stop_reason' in choice);
  if (reported || stopReasons.some(reason => reason !== '')) attributes[A.VLLM_STOP_REASON] = stopReasons;
}

function setNumber(attributes: Attributes, key: string, value: number | null | undefined): void {
  if (typeof value === 'number' && Number.isFinite(value)) attributes[key] = value;
}
