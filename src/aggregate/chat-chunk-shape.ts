import type { ChatCompletionChunk } from '../wire/chat';

/**
 * A hand-written check for the chat chunk almost every event of a stream is: one token of
 * content or reasoning, no tool calls, no usage. It accepts only values that schema
 * `chat-completion-chunk` accepts too (a property test holds it to that), so a stream's token
 * chunks skip Ajv, a sizeable share of the per-event work; anything else (tool-call
 * deltas, usage chunks, unknown shapes) returns false and goes to the schema as before.
 * String lengths are compared in UTF-16 units, never fewer than the schema's code points.
 */
export function isCommonChatChunk(value: unknown): value is ChatCompletionChunk {
  if (!isPlainObject(value)) return false;
  const chunk = value as Record<string, unknown>;
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length > MAX_CHOICES) return false;
  if (
    !isStringOrNull(chunk.id) ||
    !isStringOrNull(chunk.object, MAX_NAME_LENGTH) ||
    !isIntegerOrNull(chunk.created) ||
    !isStringOrNull(chunk.model, MAX_MODEL_LENGTH) ||
    !isStringOrNull(chunk.system_fingerprint) ||
    chunk.usage != null
  ) {
    return false;
  }
  for (let i = 0; i < choices.length; i++) if (!isCommonChoice(choices[i])) return false;
  return true;
}

// The bounds of schemas/chat-completion-chunk.json.
const MAX_CHOICES = 100_000;
const MAX_NAME_LENGTH = 256;
const MAX_MODEL_LENGTH = 4096;

function isCommonChoice(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const choice = value as Record<string, unknown>;
  if (!Number.isInteger(choice.index) || !isPlainObject(choice.delta)) return false;
  const delta = choice.delta as Record<string, unknown>;
  return (
    isStringOrNull(delta.role, MAX_NAME_LENGTH) &&
    isStringOrNull(delta.content) &&
    isStringOrNull(delta.reasoning_content) &&
    isStringOrNull(delta.reasoning) &&
    delta.tool_calls == null &&
    isStringOrNull(choice.finish_reason, MAX_NAME_LENGTH) &&
    (choice.stop_reason == null || typeof choice.stop_reason === 'string' || Number.isInteger(choice.stop_reason))
  );
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent, null, or a string of at most `maxLength` UTF-16 units. */
function isStringOrNull(value: unknown, maxLength = Infinity): boolean {
  return value == null || (typeof value === 'string' && value.length <= maxLength);
}

function isIntegerOrNull(value: unknown): boolean {
  return value == null || Number.isInteger(value);
}
