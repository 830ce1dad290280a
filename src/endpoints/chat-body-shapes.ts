import {
  hasFinishFields,
  hasTextFields,
  headedChoices,
  isBooleanOrNull,
  isEmptyListOrNull,
  isIntegerOrNull,
  isNumberOrNull,
  isPlainObject,
  isStringOrNull,
  isUsageOrNull,
  MAX_ITEMS,
  MAX_MODEL_LENGTH,
  MAX_NAME_LENGTH,
} from '../interpret/shape-checks';
import type { ChatCompletionRequest, ChatCompletionResponse } from '../wire/chat';

/**
 * Hand-written checks for the chat request and response most calls are: text messages, no
 * tools, no tool calls, no content parts. Each accepts only values that its schema
 * (`chat-completion-request`, `chat-completion-response`) accepts too, which a property test
 * holds it to; anything else returns false and goes to the schema. A typical chat call so
 * never runs Ajv's validators, large generated code that a real client runs cold once per call.
 */

// Request fields by the type the schema gives them (all optional, all nullable).
const INTEGER_PARAMETERS = ['max_tokens', 'max_completion_tokens', 'top_k', 'seed', 'n'] as const;
const NUMBER_PARAMETERS = ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty'] as const;
// Message fields that are optional nullable strings.
const MESSAGE_STRINGS = ['content', 'name', 'tool_call_id', 'reasoning_content', 'reasoning'] as const;

/** A chat request of text messages and sampling parameters, without tools. */
export function isCommonChatRequest(request: unknown): request is ChatCompletionRequest {
  if (!isPlainObject(request)) return false;
  const messages = request.messages;
  if (!Array.isArray(messages) || messages.length > MAX_ITEMS) return false;
  if (!isStringOrNull(request.model, MAX_MODEL_LENGTH) || !isBooleanOrNull(request.stream) || !isEmptyListOrNull(request.tools)) return false;
  const streamOptions = request.stream_options;
  if (streamOptions != null && !(isPlainObject(streamOptions) && isBooleanOrNull(streamOptions.include_usage) && isBooleanOrNull(streamOptions.continuous_usage_stats))) {
    return false;
  }
  if (!INTEGER_PARAMETERS.every(key => isIntegerOrNull(request[key])) || !NUMBER_PARAMETERS.every(key => isNumberOrNull(request[key]))) return false;
  const stop = request.stop;
  if (!isStringOrNull(stop) && !(Array.isArray(stop) && stop.length <= MAX_ITEMS && stop.every(item => typeof item === 'string'))) return false;
  for (let i = 0; i < messages.length; i++) if (!isTextMessage(messages[i])) return false;
  return true;
}

function isTextMessage(message: unknown): boolean {
  return (
    isPlainObject(message) &&
    typeof message.role === 'string' &&
    message.role.length <= MAX_NAME_LENGTH &&
    MESSAGE_STRINGS.every(key => isStringOrNull(message[key])) &&
    isEmptyListOrNull(message.tool_calls)
  );
}

/** A chat response whose choices are text (and reasoning) messages without tool calls. */
export function isCommonChatResponse(response: unknown): response is ChatCompletionResponse {
  if (!isPlainObject(response) || !isUsageOrNull(response.usage)) return false;
  const choices = headedChoices(response);
  return choices !== undefined && choices.every(isTextChoice);
}

function isTextChoice(choice: unknown): boolean {
  if (!isPlainObject(choice) || !Number.isInteger(choice.index) || !isPlainObject(choice.message)) return false;
  const message = choice.message;
  return hasTextFields(message) && isStringOrNull(message.refusal) && isEmptyListOrNull(message.tool_calls) && hasFinishFields(choice);
}
