import { hasFinishFields, hasTextFields, headedChoices, isPlainObject, isUsageOrNull } from '../interpret/shape-checks';
import type { ChatCompletionChunk } from '../wire/chat';

/**
 * A hand-written check for the chat chunks almost every stream is made of: one token of
 * content or reasoning without tool calls, with or without usage, and the final usage chunk.
 * It accepts only values that schema `chat-completion-chunk` accepts too (a property test
 * holds it to that), so those chunks skip Ajv, a sizeable share of the per-event work; anything
 * else (tool-call deltas, unknown shapes) returns false and goes to the schema as before.
 * String lengths are compared in UTF-16 units, never fewer than the schema's code points.
 */
export function isCommonChatChunk(chunk: unknown): chunk is ChatCompletionChunk {
  if (!isPlainObject(chunk) || !isUsageOrNull(chunk.usage)) return false;
  const choices = headedChoices(chunk);
  return choices !== undefined && choices.every(isCommonChoice);
}

function isCommonChoice(choice: unknown): boolean {
  if (!isPlainObject(choice) || !Number.isInteger(choice.index) || !isPlainObject(choice.delta)) return false;
  return hasTextFields(choice.delta) && choice.delta.tool_calls == null && hasFinishFields(choice);
}
