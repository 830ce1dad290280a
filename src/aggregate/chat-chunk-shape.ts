import { hasFinishFields, hasTextFields, headedChoices, isPlainObject } from '../shape-checks';
import type { ChatCompletionChunk } from '../wire/chat';

/**
 * A hand-written check for the chat chunk almost every event of a stream is: one token of
 * content or reasoning, no tool calls, no usage. It accepts only values that schema
 * `chat-completion-chunk` accepts too (a property test holds it to that), so a stream's token
 * chunks skip Ajv, a sizeable share of the per-event work; anything else (tool-call
 * deltas, usage chunks, unknown shapes) returns false and goes to the schema as before.
 * String lengths are compared in UTF-16 units, never fewer than the schema's code points.
 */
export function isCommonChatChunk(chunk: unknown): chunk is ChatCompletionChunk {
  if (!isPlainObject(chunk) || chunk.usage != null) return false;
  const choices = headedChoices(chunk);
  return choices !== undefined && choices.every(isCommonChoice);
}

function isCommonChoice(choice: unknown): boolean {
  if (!isPlainObject(choice) || !Number.isInteger(choice.index) || !isPlainObject(choice.delta)) return false;
  return hasTextFields(choice.delta) && choice.delta.tool_calls == null && hasFinishFields(choice);
}
