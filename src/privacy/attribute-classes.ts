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

/** The key suffixes of one per-message form: the seed's flat `llm.*_messages.{n}.role`, or OpenInference's `...{n}.message.role`. */
interface MessageForm {
  role: string;
  toolCallId: string;
  toolCalls: string;
  contents: string;
  callId: string;
  functionName: string;
  functionArguments: string;
  partType: string;
  partText: string;
  partImageUrl: string;
  content: string;
  /** Texts of the message's own beside its content (the seed's reasoning and refusal). */
  moreTexts: readonly string[];
  name: string;
}

const SEED_MESSAGE_FORM: MessageForm = {
  role: A.MESSAGE_ROLE,
  toolCallId: A.MESSAGE_TOOL_CALL_ID,
  toolCalls: A.MESSAGE_TOOL_CALLS,
  contents: A.MESSAGE_CONTENTS,
  callId: A.TOOL_CALL_ID,
  functionName: A.TOOL_CALL_FUNCTION_NAME,
  functionArguments: A.TOOL_CALL_FUNCTION_ARGUMENTS,
  partType: A.CONTENT_TYPE,
  partText: A.CONTENT_TEXT,
  partImageUrl: A.CONTENT_IMAGE_URL,
  content: A.MESSAGE_CONTENT,
  moreTexts: [A.MESSAGE_REASONING, A.MESSAGE_REFUSAL],
  name: A.MESSAGE_NAME,
};

const OPENINFERENCE_MESSAGE_FORM: MessageForm = {
  role: A.OI_MESSAGE_ROLE,
  toolCallId: A.OI_MESSAGE_TOOL_CALL_ID,
  toolCalls: A.OI_MESSAGE_TOOL_CALLS,
  contents: A.OI_MESSAGE_CONTENTS,
  callId: A.OI_TOOL_CALL_ID,
  functionName: A.OI_TOOL_CALL_FUNCTION_NAME,
  functionArguments: A.OI_TOOL_CALL_FUNCTION_ARGUMENTS,
  partType: A.OI_CONTENT_TYPE,
  partText: A.OI_CONTENT_TEXT,
  partImageUrl: A.OI_CONTENT_IMAGE_URL,
  content: A.OI_MESSAGE_CONTENT,
  moreTexts: [],
  name: A.OI_MESSAGE_NAME,
};

/** The per-message rules of one side (`llm.input_messages` or `llm.output_messages`) in one form. */
function messageRules(prefix: string, form: MessageForm, text: readonly HideSwitch[], other: readonly HideSwitch[], images: readonly HideSwitch[]): Rule[] {
  const message = indexed(prefix);
  const toolCall = `${escape(form.toolCalls)}\\.${INDEX}\\.`;
  const part = `${escape(form.contents)}\\.${INDEX}\\.`;
  const rule = (suffix: string, attributeClass: AttributeClass): Rule => [new RegExp(`^${message}${suffix}$`), attributeClass];
  return [
    rule(escape(form.role), METADATA),
    rule(escape(form.toolCallId), METADATA),
    rule(toolCall + escape(form.callId), METADATA),
    rule(toolCall + escape(form.functionName), METADATA),
    rule(part + escape(form.partType), METADATA),
    ...[form.content, ...form.moreTexts].map(key => rule(escape(key), content('text', text))),
    rule(toolCall + escape(form.functionArguments), content('text', text)),
    rule(part + escape(form.partText), content('text', text)),
    rule(escape(form.name), content('text', other)),
    rule(part + escape(form.partImageUrl), content('image', images)),
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
  ...[SEED_MESSAGE_FORM, OPENINFERENCE_MESSAGE_FORM].flatMap(form => [
    ...messageRules(A.LLM_INPUT_MESSAGES, form, INPUT_MESSAGE_TEXT, INPUT_MESSAGE_OTHER, ['hideInputs', 'hideInputMessages', 'hideInputImages']),
    ...messageRules(A.LLM_OUTPUT_MESSAGES, form, OUTPUT_MESSAGE_TEXT, OUTPUT_MESSAGE_OTHER, OUTPUT_MESSAGE_OTHER),
  ]),
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
