import * as A from '../attributes';
import type { HideSwitch } from './trace-config';

/**
 * Which `semconv` family a key belongs to; `shared` keys are kept by every setting. `seed` keys are
 * the traceAI seed's own (`llm.model`, the flat `llm.*_messages.{n}.role|content|...`), `openinference`
 * keys OpenInference's per-message form (`llm.*_messages.{n}.message.*`), `traceai` the keys both define.
 */
export type AttributeFamily = 'traceai' | 'seed' | 'openinference' | 'gen_ai' | 'shared';

/**
 * How a content value is hidden: `text`, `image` and `vector` are replaced whole; the
 * JSON shapes are parsed and redacted inside, so that their structure (roles, part
 * types, tool names) survives and no text is left behind.
 */
export type ContentShape =
  | 'text'
  | 'image'
  | 'vector'
  | 'request-json'
  | 'response-json'
  | 'input-messages-json'
  | 'output-messages-json'
  | 'instructions-json'
  | 'tools-json'
  | 'parameters-json';

/** A key that carries what a user or the model wrote. */
export interface ContentClass {
  kind: 'content';
  shape: ContentShape;
  /** The switches that hide the whole value (finer switches act inside the JSON shapes). */
  hiddenBy: readonly HideSwitch[];
}

/** A key that carries counts, names, ids or settings: never hidden. */
export interface MetadataClass {
  kind: 'metadata';
}

export type AttributeClass = ContentClass | MetadataClass;

const METADATA: MetadataClass = { kind: 'metadata' };

const ALL_INPUT: readonly HideSwitch[] = ['hideInputs'];
const INPUT_MESSAGE_TEXT: readonly HideSwitch[] = ['hideInputs', 'hideInputMessages', 'hideInputText'];
const INPUT_MESSAGE_OTHER: readonly HideSwitch[] = ['hideInputs', 'hideInputMessages'];
const INPUT_TEXT: readonly HideSwitch[] = ['hideInputs', 'hideInputText'];
const OUTPUT_MESSAGE_TEXT: readonly HideSwitch[] = ['hideOutputs', 'hideOutputMessages', 'hideOutputText'];
const OUTPUT_MESSAGE_OTHER: readonly HideSwitch[] = ['hideOutputs', 'hideOutputMessages'];
const OUTPUT_TEXT: readonly HideSwitch[] = ['hideOutputs', 'hideOutputText'];

const content = (shape: ContentShape, hiddenBy: readonly HideSwitch[]): ContentClass => ({ kind: 'content', shape, hiddenBy });

/**
 * What an unclassified key counts as: hidden by every text switch of either side, so a key
 * that a new mapper adds cannot leak before it is classified here (a test lists them).
 */
export const UNCLASSIFIED: ContentClass = content('text', [...INPUT_MESSAGE_TEXT, ...OUTPUT_MESSAGE_TEXT]);

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const INDEX = String.raw`\d+`;
/** `{prefix}.{n}.` as a pattern. */
const indexed = (prefix: string): string => `${escape(prefix)}\\.${INDEX}\\.`;

type Rule = readonly [pattern: RegExp, attributeClass: AttributeClass];

/** The per-message rules of one side (`llm.input_messages` or `llm.output_messages`). */
function messageRules(prefix: string, text: readonly HideSwitch[], other: readonly HideSwitch[], images: readonly HideSwitch[]): Rule[] {
  const message = indexed(prefix);
  const toolCall = `${escape(A.MESSAGE_TOOL_CALLS)}\\.${INDEX}\\.`;
  const part = `${escape(A.MESSAGE_CONTENTS)}\\.${INDEX}\\.`;
  const rule = (suffix: string, attributeClass: AttributeClass): Rule => [new RegExp(`^${message}${suffix}$`), attributeClass];
  return [
    rule(escape(A.MESSAGE_ROLE), METADATA),
    rule(escape(A.MESSAGE_TOOL_CALL_ID), METADATA),
    rule(toolCall + escape(A.TOOL_CALL_ID), METADATA),
    rule(toolCall + escape(A.TOOL_CALL_FUNCTION_NAME), METADATA),
    rule(part + escape(A.CONTENT_TYPE), METADATA),
    rule(escape(A.MESSAGE_CONTENT), content('text', text)),
    rule(escape(A.MESSAGE_REASONING), content('text', text)),
    rule(escape(A.MESSAGE_REFUSAL), content('text', text)),
    rule(toolCall + escape(A.TOOL_CALL_FUNCTION_ARGUMENTS), content('text', text)),
    rule(part + escape(A.CONTENT_TEXT), content('text', text)),
    rule(escape(A.MESSAGE_NAME), content('text', other)),
    rule(part + escape(A.CONTENT_IMAGE_URL), content('image', images)),
  ];
}

/** The rules of OpenInference's per-message form of one side (`llm.input_messages.{n}.message.*`), classed like the flat form. */
function openInferenceMessageRules(prefix: string, text: readonly HideSwitch[], other: readonly HideSwitch[], images: readonly HideSwitch[]): Rule[] {
  const message = indexed(prefix);
  const toolCall = `${escape(A.OI_MESSAGE_TOOL_CALLS)}\\.${INDEX}\\.`;
  const part = `${escape(A.OI_MESSAGE_CONTENTS)}\\.${INDEX}\\.`;
  const rule = (suffix: string, attributeClass: AttributeClass): Rule => [new RegExp(`^${message}${suffix}$`), attributeClass];
  return [
    rule(escape(A.OI_MESSAGE_ROLE), METADATA),
    rule(escape(A.OI_MESSAGE_TOOL_CALL_ID), METADATA),
    rule(toolCall + escape(A.OI_TOOL_CALL_ID), METADATA),
    rule(toolCall + escape(A.OI_TOOL_CALL_FUNCTION_NAME), METADATA),
    rule(part + escape(A.OI_CONTENT_TYPE), METADATA),
    rule(escape(A.OI_MESSAGE_CONTENT), content('text', text)),
    rule(toolCall + escape(A.OI_TOOL_CALL_FUNCTION_ARGUMENTS), content('text', text)),
    rule(part + escape(A.OI_CONTENT_TEXT), content('text', text)),
    rule(escape(A.OI_MESSAGE_NAME), content('text', other)),
    rule(part + escape(A.OI_CONTENT_IMAGE_URL), content('image', images)),
  ];
}

const exact = (key: string, attributeClass: AttributeClass): Rule => [new RegExp(`^${escape(key)}$`), attributeClass];
const prefixed = (prefix: string, attributeClass: AttributeClass): Rule => [new RegExp(`^${escape(prefix)}`), attributeClass];
const documentRule = (documents: string, suffix: string, attributeClass: AttributeClass): Rule => [
  new RegExp(`^${indexed(documents)}${escape(suffix)}$`),
  attributeClass,
];

// First match wins. Content rules name the switches that hide them (see the README's privacy section).
const RULES: readonly Rule[] = [
  // Identity, counts and settings of both families.
  ...[A.FI_SPAN_KIND, A.OPENINFERENCE_SPAN_KIND, A.LLM_SYSTEM, A.LLM_PROVIDER, A.LLM_MODEL, A.LLM_MODEL_NAME, A.INPUT_MIME_TYPE, A.OUTPUT_MIME_TYPE].map(key =>
    exact(key, METADATA),
  ),
  ...[A.EMBEDDING_MODEL_NAME, A.RERANKER_MODEL_NAME, A.RERANKER_TOP_K, A.ERROR_TYPE, A.VLLM_STOP_REASON, A.VLLM_CAPTURE_TRUNCATED, A.VLLM_INPUT_MESSAGES_OMITTED].map(key => exact(key, METADATA)),
  prefixed('llm.token_count.', METADATA),
  // vLLM request and response facts: ids, counts, settings, KV-transfer coordinates (never content).
  ...[A.VLLM_REQUEST_ID, A.VLLM_REQUEST_PRIORITY, A.VLLM_REQUEST_LOGPROBS, A.VLLM_REQUEST_TOP_LOGPROBS, A.VLLM_REQUEST_PROMPT_LOGPROBS].map(key => exact(key, METADATA)),
  ...[A.VLLM_REQUEST_STRUCTURED_OUTPUT, A.VLLM_REQUEST_ENABLE_THINKING, A.VLLM_REQUEST_SERVICE_TIER, A.VLLM_REQUEST_KV_TRANSFER_PARAMS].map(key => exact(key, METADATA)),
  ...[A.VLLM_RESPONSE_SERVICE_TIER, A.VLLM_RESPONSE_KV_TRANSFER_PARAMS].map(key => exact(key, METADATA)),
  ...[A.GEN_AI_OPERATION_NAME, A.GEN_AI_PROVIDER_NAME, A.GEN_AI_OUTPUT_TYPE, A.GEN_AI_CONVERSATION_ID].map(key => exact(key, METADATA)),
  ...['gen_ai.request.', 'gen_ai.response.', 'gen_ai.usage.', 'gen_ai.embeddings.'].map(prefix => prefixed(prefix, METADATA)),

  // Raw bodies and JSON-valued content.
  exact(A.INPUT_VALUE, content('request-json', INPUT_MESSAGE_TEXT)),
  exact(A.OUTPUT_VALUE, content('response-json', OUTPUT_MESSAGE_TEXT)),
  exact(A.LLM_TOOLS, content('tools-json', ALL_INPUT)),
  exact(A.LLM_INVOCATION_PARAMETERS, content('parameters-json', ALL_INPUT)),
  exact(A.GEN_AI_INPUT_MESSAGES, content('input-messages-json', INPUT_MESSAGE_TEXT)),
  exact(A.GEN_AI_OUTPUT_MESSAGES, content('output-messages-json', OUTPUT_MESSAGE_TEXT)),
  exact(A.GEN_AI_SYSTEM_INSTRUCTIONS, content('instructions-json', INPUT_MESSAGE_TEXT)),
  exact(A.GEN_AI_TOOL_DEFINITIONS, content('tools-json', ALL_INPUT)),

  // Messages, prompts, embeddings, reranking, classification.
  ...messageRules(A.LLM_INPUT_MESSAGES, INPUT_MESSAGE_TEXT, INPUT_MESSAGE_OTHER, ['hideInputs', 'hideInputMessages', 'hideInputImages']),
  ...openInferenceMessageRules(A.LLM_INPUT_MESSAGES, INPUT_MESSAGE_TEXT, INPUT_MESSAGE_OTHER, ['hideInputs', 'hideInputMessages', 'hideInputImages']),
  ...openInferenceMessageRules(A.LLM_OUTPUT_MESSAGES, OUTPUT_MESSAGE_TEXT, OUTPUT_MESSAGE_OTHER, OUTPUT_MESSAGE_OTHER),
  ...messageRules(A.LLM_OUTPUT_MESSAGES, OUTPUT_MESSAGE_TEXT, OUTPUT_MESSAGE_OTHER, OUTPUT_MESSAGE_OTHER),
  [new RegExp(`^${escape(A.LLM_PROMPTS)}\\.${INDEX}$`), content('text', INPUT_MESSAGE_TEXT)],
  [new RegExp(`^${indexed(A.EMBEDDING_EMBEDDINGS)}${escape(A.EMBEDDING_TEXT)}$`), content('text', INPUT_TEXT)],
  [new RegExp(`^${indexed(A.EMBEDDING_EMBEDDINGS)}${escape(A.EMBEDDING_VECTOR)}$`), content('vector', ['hideOutputs', 'hideEmbeddingVectors'])],
  exact(A.RERANKER_QUERY, content('text', INPUT_TEXT)),
  documentRule(A.RERANKER_INPUT_DOCUMENTS, A.DOCUMENT_ID, METADATA),
  documentRule(A.RERANKER_INPUT_DOCUMENTS, A.DOCUMENT_SCORE, METADATA),
  documentRule(A.RERANKER_INPUT_DOCUMENTS, A.DOCUMENT_CONTENT, content('text', INPUT_TEXT)),
  documentRule(A.RERANKER_OUTPUT_DOCUMENTS, A.DOCUMENT_ID, METADATA),
  documentRule(A.RERANKER_OUTPUT_DOCUMENTS, A.DOCUMENT_SCORE, METADATA),
  // Output documents are the input documents, reordered: either side's switch hides them.
  documentRule(A.RERANKER_OUTPUT_DOCUMENTS, A.DOCUMENT_CONTENT, content('text', [...INPUT_TEXT, ...OUTPUT_TEXT])),
  [new RegExp(`^${indexed(A.VLLM_CLASSIFICATION)}${escape(A.CLASSIFICATION_LABEL)}$`), content('text', OUTPUT_TEXT)],
  [new RegExp(`^${indexed(A.VLLM_CLASSIFICATION)}${escape(A.CLASSIFICATION_PROBS)}$`), content('vector', ['hideOutputs'])],
];

/** What the final pass needs to know about a key. */
export interface KeyDescription {
  family: AttributeFamily;
  /** Undefined for a key no rule knows (see `UNCLASSIFIED`). */
  attributeClass: AttributeClass | undefined;
}

// Keys repeat from span to span (indexes stay small), so each is matched against the rules once.
const CACHE_LIMIT = 4096;
const cache = new Map<string, KeyDescription>();

/** The family and class of a key, memoised. */
export function describeKey(key: string): KeyDescription {
  let description = cache.get(key);
  if (description === undefined) {
    description = { family: familyOf(key), attributeClass: RULES.find(([pattern]) => pattern.test(key))?.[1] };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, description);
  }
  return description;
}

/** The class of a key this package writes, or undefined for a key no rule knows (see `UNCLASSIFIED`). */
export function classifyAttribute(key: string): AttributeClass | undefined {
  return describeKey(key).attributeClass;
}

const MESSAGE_KEY = /^llm\.(?:input|output)_messages\.\d+\./;

/** The `semconv` family of a key, by its namespace; the two span kinds are in every family. */
function familyOf(key: string): AttributeFamily {
  if (key === A.FI_SPAN_KIND || key === A.OPENINFERENCE_SPAN_KIND) return 'shared';
  if (key.startsWith(A.GEN_AI_NAMESPACE)) return 'gen_ai';
  if (key === A.LLM_MODEL) return 'seed';
  const message = MESSAGE_KEY.exec(key);
  if (message !== null) return key.startsWith('message.', message[0].length) ? 'openinference' : 'seed';
  return A.TRACEAI_NAMESPACES.some(namespace => key.startsWith(namespace)) ? 'traceai' : 'shared';
}
