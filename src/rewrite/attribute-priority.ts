import * as A from '../attributes';

/**
 * The order in which a rewrite writes its attributes. The SDK keeps the first
 * `attributeCountLimit` keys of a span and drops the rest, so what a reader needs most goes
 * first: what the span is, how the call ended, the answer, the request's settings, then the
 * request itself, its latest messages first.
 */
export const Priority = {
  /** Span kind, provider, operation, models, response id. */
  IDENTITY: 0,
  /** Error, finish reasons, token usage, truncation, time to first chunk. */
  OUTCOME: 1,
  /** Output messages with tool calls and reasoning, vectors, scores, labels. */
  OUTPUT: 2,
  /** Facts said already under another key, or derived from others: provider, request model, total tokens, stop reason. */
  REPEATED: 3,
  /** The output again, whole: `output.value`, `gen_ai.output.messages`. */
  WHOLE_OUTPUT: 4,
  /** Sampling parameters and every key no other priority names. */
  REQUEST: 5,
  /** `input.value` and the one-attribute JSON forms of the conversation: every message in one slot each. */
  WHOLE_INPUT: 6,
  /** `llm.input_messages.{n}.*`, written newest message first and a message whole or not at all. */
  INPUT_MESSAGES: 7,
  /** Tool definitions: long, and repeated on every call of a conversation. */
  BULK: 8,
} as const;

/** One of `Priority`'s values. */
export type PriorityValue = (typeof Priority)[keyof typeof Priority];

/** How many priorities there are (the number of buckets a writer keeps). */
export const PRIORITY_COUNT = 9;

const EXACT = new Map<string, PriorityValue>([
  ...[A.FI_SPAN_KIND, A.OPENINFERENCE_SPAN_KIND, A.LLM_MODEL, A.LLM_MODEL_NAME, A.GEN_AI_OPERATION_NAME, A.GEN_AI_PROVIDER_NAME].map(key => [key, Priority.IDENTITY] as const),
  ...[A.GEN_AI_RESPONSE_MODEL, A.GEN_AI_RESPONSE_ID, A.EMBEDDING_MODEL_NAME, A.RERANKER_MODEL_NAME].map(key => [key, Priority.IDENTITY] as const),
  ...[A.LLM_SYSTEM, A.LLM_PROVIDER, A.GEN_AI_REQUEST_MODEL, A.LLM_TOKEN_COUNT_TOTAL, A.VLLM_STOP_REASON].map(key => [key, Priority.REPEATED] as const),
  ...[A.ERROR_TYPE, A.GEN_AI_RESPONSE_FINISH_REASONS, A.VLLM_CAPTURE_TRUNCATED, A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK].map(
    key => [key, Priority.OUTCOME] as const,
  ),
  ...[A.OUTPUT_VALUE, A.OUTPUT_MIME_TYPE, A.GEN_AI_OUTPUT_MESSAGES].map(key => [key, Priority.WHOLE_OUTPUT] as const),
  ...[A.INPUT_VALUE, A.INPUT_MIME_TYPE, A.GEN_AI_INPUT_MESSAGES, A.GEN_AI_SYSTEM_INSTRUCTIONS].map(key => [key, Priority.WHOLE_INPUT] as const),
  ...[A.LLM_TOOLS, A.GEN_AI_TOOL_DEFINITIONS].map(key => [key, Priority.BULK] as const),
]);

const PREFIXED: ReadonlyArray<readonly [string, PriorityValue]> = [
  ['llm.token_count.', Priority.OUTCOME],
  ['gen_ai.usage.', Priority.OUTCOME],
  [`${A.LLM_OUTPUT_MESSAGES}.`, Priority.OUTPUT],
  [`${A.RERANKER_OUTPUT_DOCUMENTS}.`, Priority.OUTPUT],
  [`${A.VLLM_CLASSIFICATION}.`, Priority.OUTPUT],
  [`${A.LLM_INPUT_MESSAGES}.`, Priority.INPUT_MESSAGES],
];

/** Where a key goes in the write order. */
export function priorityOf(key: string): PriorityValue {
  const exact = EXACT.get(key);
  if (exact !== undefined) return exact;
  for (const [prefix, priority] of PREFIXED) if (key.startsWith(prefix)) return priority;
  return Priority.REQUEST;
}

const INPUT_MESSAGE_PREFIX = `${A.LLM_INPUT_MESSAGES}.`;

/** The `{n}` of an `llm.input_messages.{n}.*` key, or -1. */
export function inputMessageIndex(key: string): number {
  if (!key.startsWith(INPUT_MESSAGE_PREFIX)) return -1;
  const end = key.indexOf('.', INPUT_MESSAGE_PREFIX.length);
  const index = Number(key.slice(INPUT_MESSAGE_PREFIX.length, end === -1 ? undefined : end));
  return Number.isInteger(index) && index >= 0 ? index : -1;
}
