import { isCommonChatChunk } from '../aggregate/chat-chunk-shape';
import { ChatStreamAggregator } from '../aggregate/chat-stream';
import * as A from '../attributes';
import { getChatRequestAttributes, getChatResponseAttributes } from '../mappers/chat';
import { isCommonChatRequest, isCommonChatResponse } from './chat-body-shapes';
import { defineHandler } from './define-handler';
import { AggregatingStreamMapper } from './stream-mapper';

/** `POST /v1/chat/completions`. */
export const chatHandler = defineHandler({
  spanKind: A.SpanKindValues.LLM,
  operation: A.OperationValues.CHAT,
  requestSchema: 'chat-completion-request',
  responseSchema: 'chat-completion-response',
  isCommonRequest: isCommonChatRequest,
  isCommonResponse: isCommonChatResponse,
  getRequestAttributes: getChatRequestAttributes,
  getResponseAttributes: getChatResponseAttributes,
  requestRepair: { fillers: { messages: [] }, itemSchemas: { messages: 'chat-message' } },
  createStreamMapper: ({ validator, options }) =>
    new AggregatingStreamMapper(validator, {
      eventSchema: 'chat-completion-chunk',
      isCommonEvent: isCommonChatChunk,
      wholeResponseSchema: 'chat-completion-response',
      aggregator: new ChatStreamAggregator(),
      mapResult: (result, sourceText) => getChatResponseAttributes(result, undefined, options, sourceText),
    }),
});
