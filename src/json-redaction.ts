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

// Response fields that repeat the request: rerank documents, prompt token ids and logprobs.
const INPUT_ECHO_FIELDS = new Set(['document', 'prompt_token_ids', 'prompt_logprobs']);
// Response fields that hold vectors: `embedding` (embeddings), `data` inside pooling items.
const VECTOR_FIELDS = new Set(['embedding', 'data']);

/** A response body (`output.value`) with embedding vectors (`vectors`) and echoes of the input (`inputEchoes`) hidden. */
export function redactResponseBody(body: unknown, vectors: boolean, inputEchoes: boolean): unknown {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!isObject(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => {
        if (inputEchoes && INPUT_ECHO_FIELDS.has(key) && field !== null) return [key, REDACTED_VALUE];
        if (vectors && VECTOR_FIELDS.has(key) && isVector(field)) return [key, REDACTED_VALUE];
        return [key, walk(field)];
      }),
    );
  };
  return walk(body);
}

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
