/**
 * Building blocks of the hand-written fast checks that run before a schema (chat chunks,
 * chat requests and responses). Each accepts a subset of what the schema keyword it stands
 * for accepts, never more: strings are measured in UTF-16 units (never fewer than the code
 * points a schema's `maxLength` counts), numbers must be finite.
 */

/** An object that is not an array (what JSON.parse makes of `{...}`). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent, null, or a string of at most `maxLength` UTF-16 units. */
export function isStringOrNull(value: unknown, maxLength = Infinity): boolean {
  return value == null || (typeof value === 'string' && value.length <= maxLength);
}

/** Absent, null, or an integer. */
export function isIntegerOrNull(value: unknown): boolean {
  return value == null || Number.isInteger(value);
}

/** Absent, null, or a finite number. */
export function isNumberOrNull(value: unknown): boolean {
  return value == null || Number.isFinite(value);
}

/** Absent, null, or a boolean. */
export function isBooleanOrNull(value: unknown): boolean {
  return value == null || typeof value === 'boolean';
}

/**
 * The `choices` of a chat response or chunk whose head (id, object, created, model,
 * system_fingerprint) fits the schemas; undefined when it does not or `choices` is no list.
 */
export function headedChoices(body: Record<string, unknown>): unknown[] | undefined {
  const choices = body.choices;
  if (!Array.isArray(choices) || choices.length > MAX_ITEMS) return undefined;
  const fits =
    isStringOrNull(body.id) &&
    isStringOrNull(body.object, MAX_NAME_LENGTH) &&
    isIntegerOrNull(body.created) &&
    isStringOrNull(body.model, MAX_MODEL_LENGTH) &&
    isStringOrNull(body.system_fingerprint);
  return fits ? choices : undefined;
}

/** The fields a chat delta and a response message share: role, content and reasoning (under either key). */
export function hasTextFields(message: Record<string, unknown>): boolean {
  return (
    isStringOrNull(message.role, MAX_NAME_LENGTH) &&
    isStringOrNull(message.content) &&
    isStringOrNull(message.reasoning_content) &&
    isStringOrNull(message.reasoning)
  );
}

/** What ends a chat choice: `finish_reason` (bounded like a name) and `stop_reason`. */
export function hasFinishFields(choice: Record<string, unknown>): boolean {
  return isStringOrNull(choice.finish_reason, MAX_NAME_LENGTH) && isStopReasonOrNull(choice.stop_reason);
}

/** A `stop_reason`: absent, null, a stop token id or a stop string. */
function isStopReasonOrNull(value: unknown): boolean {
  return value == null || typeof value === 'string' || Number.isInteger(value);
}

/** Absent, null, or token usage as schemas/usage.json has it. */
export function isUsageOrNull(usage: unknown): boolean {
  if (usage == null) return true;
  return (
    isPlainObject(usage) &&
    isIntegerOrNull(usage.prompt_tokens) &&
    isIntegerOrNull(usage.completion_tokens) &&
    isIntegerOrNull(usage.total_tokens) &&
    isDetailsOrNull(usage.prompt_tokens_details, 'cached_tokens') &&
    isDetailsOrNull(usage.completion_tokens_details, 'reasoning_tokens')
  );
}

function isDetailsOrNull(details: unknown, countKey: string): boolean {
  return details == null || (isPlainObject(details) && isIntegerOrNull(details[countKey]));
}

/** Absent, null, or an empty array: what the fast checks accept where the schema allows a list of objects. */
export function isEmptyListOrNull(value: unknown): boolean {
  return value == null || (Array.isArray(value) && value.length === 0);
}

// The bounds the chat schemas (schemas/chat-*.json, usage.json) put on lists and names.
/** `maxItems` of every list. */
export const MAX_ITEMS = 100_000;
/** `maxLength` of roles, object names, finish reasons, tool types. */
export const MAX_NAME_LENGTH = 256;
/** `maxLength` of model names. */
export const MAX_MODEL_LENGTH = 4096;
