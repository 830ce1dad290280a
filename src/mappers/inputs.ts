import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { ChatMessage } from '../wire/chat';
import type { PromptInput } from '../wire/completion';
import { addInputMessagesAttributes } from './messages';

/**
 * The texts of a prompt input (`prompt` of /v1/completions, `input` of the pooling family),
 * by position; token-id prompts carry no text and give none.
 */
export function promptTexts(input: PromptInput | null | undefined): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item): item is string => typeof item === 'string')) return input;
  return [];
}

/** `llm.prompts.{i}` for the text prompts. */
export function addPromptAttributes(attributes: Attributes, input: PromptInput | null | undefined): void {
  promptTexts(input).forEach((text, index) => {
    attributes[A.promptKey(index)] = text;
  });
}

/** A chat-style input: one conversation, or a batch of them. */
export type ConversationInput = ChatMessage[] | ChatMessage[][];

/** True for `input` values that are conversations rather than prompts (embeddings take both). */
export function isConversationInput(input: unknown): input is ConversationInput {
  return isMessageList(input) || (Array.isArray(input) && isMessageList(input[0]));
}

function isMessageList(value: unknown): boolean {
  return Array.isArray(value) && typeof value[0] === 'object' && value[0] !== null && !Array.isArray(value[0]);
}

/**
 * `llm.input_messages.*` of a request sent as one conversation. A batch of conversations
 * has no place in the flat message list; `input.value` keeps it.
 */
export function addConversationAttributes(attributes: Attributes, conversation: ConversationInput | null | undefined, openInference = false): void {
  if (isMessageList(conversation)) addInputMessagesAttributes(attributes, conversation as ChatMessage[], openInference);
}
