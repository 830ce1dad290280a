import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import { compactTransferParams } from './transfer-params';

// vLLM request fields that a trace reader filters or correlates by, beyond the sampling
// parameters. Each value is type-checked here rather than pinned in the schemas: one odd
// informational field must not cost the request its other attributes. All of them also stay
// in `llm.invocation_parameters`.

// Structured-output fields of vLLM's own (`guided_*` up to ~0.10, `structured_outputs` after),
// in the order vLLM applies them, and the kind each asks for.
const GUIDED_KINDS: ReadonlyArray<readonly [field: string, kind: string]> = [
  ['guided_json', 'json_schema'],
  ['guided_regex', 'regex'],
  ['guided_choice', 'choice'],
  ['guided_grammar', 'grammar'],
];
const STRUCTURED_OUTPUT_KINDS: ReadonlyArray<readonly [field: string, kind: string]> = [
  ['json', 'json_schema'],
  ['json_object', 'json_object'],
  ['regex', 'regex'],
  ['choice', 'choice'],
  ['grammar', 'grammar'],
  ['structural_tag', 'structural_tag'],
];
const RESPONSE_FORMAT_KINDS: ReadonlySet<string> = new Set(['json_object', 'json_schema', 'structural_tag']);
/** Structured-output kinds whose output is JSON (`gen_ai.output.type` = `json`). */
export const JSON_OUTPUT_KINDS: ReadonlySet<string> = new Set(['json_schema', 'json_object']);

/** `vllm.request.*` of a chat, completion or Responses request, for the fields that were sent. */
export function addVllmRequestAttributes(attributes: Attributes, request: Record<string, unknown>): void {
  if (typeof request.request_id === 'string' && request.request_id !== '') attributes[A.VLLM_REQUEST_ID] = request.request_id;
  if (Number.isInteger(request.priority)) attributes[A.VLLM_REQUEST_PRIORITY] = request.priority as number;
  if (typeof request.service_tier === 'string') attributes[A.VLLM_REQUEST_SERVICE_TIER] = request.service_tier;
  addLogprobsAttributes(attributes, request);
  const kind = structuredOutputKind(request);
  if (kind !== undefined) attributes[A.VLLM_REQUEST_STRUCTURED_OUTPUT] = kind;
  const thinking = enableThinking(request.chat_template_kwargs);
  if (thinking !== undefined) attributes[A.VLLM_REQUEST_ENABLE_THINKING] = thinking;
  const transfer = compactTransferParams(request.kv_transfer_params);
  if (transfer !== undefined) attributes[A.VLLM_REQUEST_KV_TRANSFER_PARAMS] = transfer;
}

/**
 * Chat asks with `logprobs: true` (+ `top_logprobs: n`); /v1/completions with `logprobs: n`
 * (0 = the sampled token only). `prompt_logprobs: n` works on both.
 */
function addLogprobsAttributes(attributes: Attributes, request: Record<string, unknown>): void {
  const { logprobs, top_logprobs, prompt_logprobs } = request;
  if (logprobs === true) {
    attributes[A.VLLM_REQUEST_LOGPROBS] = true;
    if (isCount(top_logprobs)) attributes[A.VLLM_REQUEST_TOP_LOGPROBS] = top_logprobs;
  } else if (isCount(logprobs)) {
    attributes[A.VLLM_REQUEST_LOGPROBS] = true;
    attributes[A.VLLM_REQUEST_TOP_LOGPROBS] = logprobs;
  }
  // -1 asks for the whole vocabulary in recent builds; any integer is recorded as sent.
  if (Number.isInteger(prompt_logprobs)) attributes[A.VLLM_REQUEST_PROMPT_LOGPROBS] = prompt_logprobs as number;
}

/**
 * The kind of structured output a request asks for, never its schema, regex or grammar:
 * `response_format` first (vLLM lets it override `structured_outputs`), then
 * `structured_outputs`, then the older `guided_*` fields.
 */
export function structuredOutputKind(request: Record<string, unknown>): string | undefined {
  const format = request.response_format;
  if (isObject(format) && typeof format.type === 'string' && RESPONSE_FORMAT_KINDS.has(format.type)) return format.type;
  const structured = request.structured_outputs;
  if (isObject(structured)) {
    const found = STRUCTURED_OUTPUT_KINDS.find(([field]) => isSet(structured[field]));
    if (found !== undefined) return found[1];
  }
  return GUIDED_KINDS.find(([field]) => isSet(request[field]))?.[1];
}

/** `enable_thinking` (Qwen3, Gemma, most templates) or `thinking` (DeepSeek V3.1) of the template kwargs. */
function enableThinking(kwargs: unknown): boolean | undefined {
  if (!isObject(kwargs)) return undefined;
  if (typeof kwargs.enable_thinking === 'boolean') return kwargs.enable_thinking;
  return typeof kwargs.thinking === 'boolean' ? kwargs.thinking : undefined;
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A structured-output field counts when it holds something: not null, false or empty. */
function isSet(value: unknown): boolean {
  if (value == null || value === false || value === '') return false;
  return !(Array.isArray(value) && value.length === 0);
}
