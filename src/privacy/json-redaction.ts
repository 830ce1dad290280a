import { REDACTED_VALUE } from './trace-config';

/**
 * Redaction inside JSON-valued attributes: pure functions from a parsed value to a copy
 * with the hidden leaves replaced by `__REDACTED__`. Structure (roles, part types, tool
 * names, ids, numbers) is kept, so a redacted span still shows what happened.
 */

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What to hide inside GenAI message parts (`gen_ai.input.messages`, `gen_ai.system_instructions`, ...). */
export interface PartRedaction {
  /** Every content field of every part, and the message `name`. */
  all: boolean;
  /** Text, reasoning, tool-call arguments and tool results. */
  text: boolean;
  /** Image URIs and image blobs. */
  images: boolean;
  /** Longer inline base64 image data is replaced even when nothing is hidden. */
  base64MaxLength: number;
}

/** True for a base64 `data:` URL longer than `maxLength` characters. */
export function isLongDataUrl(value: unknown, maxLength: number): boolean {
  return typeof value === 'string' && value.length > maxLength && value.startsWith('data:') && value.includes(';base64,');
}

/** A GenAI message list (`[{role, parts, name?, finish_reason?}]`) with its hidden parts redacted. */
export function redactGenAiMessages(messages: unknown, redaction: PartRedaction): unknown {
  if (!Array.isArray(messages)) return REDACTED_VALUE;
  return messages.map(message => {
    if (!isObject(message)) return REDACTED_VALUE;
    const copy: JsonObject = { ...message, parts: redactGenAiParts(message.parts, redaction) };
    if (redaction.all && message.name !== undefined) copy.name = REDACTED_VALUE;
    return copy;
  });
}

/** A GenAI part list (message parts, system instructions) with its hidden fields redacted. */
export function redactGenAiParts(parts: unknown, redaction: PartRedaction): unknown {
  if (!Array.isArray(parts)) return parts === undefined ? parts : REDACTED_VALUE;
  return parts.map(part => redactPart(part, redaction));
}

function redactPart(part: unknown, redaction: PartRedaction): unknown {
  if (!isObject(part)) return redaction.all || redaction.text ? REDACTED_VALUE : part;
  const hideText = redaction.all || redaction.text;
  const isImage = part.modality === 'image';
  const hideMedia = redaction.all || (redaction.images && isImage);
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return hideText ? replace(part, ['content']) : part;
    case 'tool_call':
      return hideText ? replace(part, ['arguments']) : part;
    case 'tool_call_response':
      return hideText ? replace(part, ['response']) : part;
    case 'blob': {
      const tooLong = isImage && typeof part.content === 'string' && part.content.length > redaction.base64MaxLength;
      return hideMedia || tooLong ? replace(part, ['content']) : part;
    }
    case 'uri':
      return hideMedia ? replace(part, ['uri']) : part;
    case 'file':
      return part;
    default:
      // A part type this package does not write: keep only its type when anything is hidden.
      return hideText || hideMedia ? { type: part.type } : part;
  }
}

function replace(part: JsonObject, fields: readonly string[]): JsonObject {
  const copy = { ...part };
  for (const field of fields) if (field in copy) copy[field] = REDACTED_VALUE;
  return copy;
}

/**
 * A request body (`input.value`) with image URLs hidden (`images`) and long base64 `data:`
 * URLs replaced: every `image_url` (string or `{url}`) and every long `data:` string.
 */
export function redactRequestBody(body: unknown, images: boolean, base64MaxLength: number): unknown {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') return (images && key === 'image_url') || isLongDataUrl(value, base64MaxLength) ? REDACTED_VALUE : value;
    if (Array.isArray(value)) return value.map(item => walk(item, key));
    if (!isObject(value)) return value;
    if (images && key === 'image_url') return { ...value, url: REDACTED_VALUE };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
  };
  return walk(body, undefined);
}

/** What to hide inside a response body (`output.value`). */
export interface ResponseRedaction {
  /** Embedding and pooling vectors. */
  vectors: boolean;
  /** Everything the response repeats from the request (the switches that hide `input.value`). */
  inputEchoes: boolean;
  /** Image URLs the response repeats from the request. */
  images: boolean;
  /** Longer base64 `data:` URLs are replaced even when nothing is hidden. */
  base64MaxLength: number;
}

// Fields of any response that repeat the request: rerank documents (text or image), the prompt's token ids, logprobs and text (2026 builds).
const INPUT_ECHO_FIELDS = new Set(['document', 'prompt_token_ids', 'prompt_logprobs', 'prompt_text']);
// Response fields that hold vectors: `embedding` (embeddings), `data` inside pooling items.
const VECTOR_FIELDS = new Set(['embedding', 'data']);

/**
 * A response body (`output.value`) with vectors, echoes of the input and images hidden as
 * `redaction` says. A Responses API object (`"object": "response"`, also the one a stream
 * folds into) repeats its request's `instructions`, `tools`, `text` (the output schema),
 * `user`, `metadata`, `prompt` and, with `enable_response_messages`, `input_messages`.
 */
export function redactResponseBody(body: unknown, redaction: ResponseRedaction): unknown {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') {
      return (redaction.images && key === 'image_url') || isLongDataUrl(value, redaction.base64MaxLength) ? REDACTED_VALUE : value;
    }
    if (Array.isArray(value)) return value.map(item => walk(item, key));
    if (!isObject(value)) return value;
    if (redaction.images && key === 'image_url') return { ...value, url: REDACTED_VALUE };
    const isResponsesObject = value.object === 'response';
    return Object.fromEntries(
      Object.entries(value).map(([field, item]) => {
        if (redaction.inputEchoes && item !== null) {
          if (INPUT_ECHO_FIELDS.has(field)) return [field, REDACTED_VALUE];
          const hide = isResponsesObject ? RESPONSES_REQUEST_ECHOES.get(field) : undefined;
          if (hide !== undefined) return [field, hide(item)];
        }
        if (redaction.vectors && VECTOR_FIELDS.has(field) && isVector(item)) return [field, REDACTED_VALUE];
        return [field, walk(item, field)];
      }),
    );
  };
  return walk(body, undefined);
}

/**
 * Every string of a repeated request value hidden except the names and settings under `kept`,
 * numbers and booleans kept: the structure still shows what was sent.
 */
function redactStringsExcept(kept: ReadonlySet<string>): (value: unknown) => unknown {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') return key !== undefined && kept.has(key) ? value : REDACTED_VALUE;
    if (Array.isArray(value)) return value.map(item => walk(item, key));
    if (!isObject(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
  };
  return value => walk(value, undefined);
}

// The request fields a Responses object repeats, and how each is hidden.
const RESPONSES_REQUEST_ECHOES: ReadonlyMap<string, (value: unknown) => unknown> = new Map([
  ['instructions', redactStringsExcept(new Set(['type', 'role']))],
  ['tools', (value: unknown) => redactToolDefinitions(value)],
  // `text.format`: its type stays; the schema, its name and description go.
  ['text', redactStringsExcept(new Set(['type', 'verbosity']))],
  ['user', () => REDACTED_VALUE],
  ['metadata', redactStringsExcept(new Set())],
  // A prompt template reference: its id and version stay, its variables go.
  ['prompt', redactStringsExcept(new Set(['id', 'version']))],
  ['input_messages', () => REDACTED_VALUE],
]);

/** A number array (any depth) or a base64 string: what vLLM sends as an embedding. */
function isVector(value: unknown): boolean {
  if (typeof value === 'string') return true;
  let first: unknown = value;
  while (Array.isArray(first)) first = first[0];
  return Array.isArray(value) && (typeof first === 'number' || first === undefined);
}

/**
 * Tool definitions (`llm.tools`, `gen_ai.tool.definitions`; chat's nested `{type, function:{name}}`
 * and the flat `{type, name}`) with everything but each tool's type and name redacted.
 */
export function redactToolDefinitions(tools: unknown): unknown {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!isObject(value)) return REDACTED_VALUE;
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => {
        if ((key === 'type' || key === 'name') && typeof field === 'string') return [key, field];
        return [key, key === 'function' ? walk(field) : REDACTED_VALUE];
      }),
    );
  };
  return walk(tools);
}

// String parameters that are settings, not content; every other string is hidden with the inputs.
const SETTING_KEYS = new Set(['tool_choice', 'type', 'reasoning_effort', 'effort', 'encoding_format', 'service_tier', 'truncation', 'embed_dtype', 'endianness']);

/**
 * Invocation parameters with every string redacted except known settings: vLLM takes content
 * beside its parameters (`documents`, `chat_template`, `user`, guided-decoding schemas, ...).
 * Numbers, booleans and nulls stay.
 */
export function redactParameters(parameters: unknown): unknown {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') return key !== undefined && SETTING_KEYS.has(key) ? value : REDACTED_VALUE;
    if (Array.isArray(value)) return value.map(item => walk(item, key));
    if (!isObject(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
  };
  return walk(parameters, undefined);
}
