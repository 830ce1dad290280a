import type { Attributes } from '@opentelemetry/api';
import { ChatStreamAggregator } from '../aggregate/chat-stream';
import * as A from '../attributes';
import { getChatRequestAttributes, getChatResponseAttributes } from '../mappers/chat';
import type { SchemaValidator } from '../validation';
import type { ChatCompletionResponse } from '../wire/chat';
import type { EndpointHandler, StreamMapper } from './endpoint-handler';

/** `POST /v1/chat/completions`. */
export const chatHandler: EndpointHandler = {
  spanKind: A.SpanKindValues.LLM,
  operation: 'chat',
  mapRequest(body, validator) {
    if (!validator.is('chat-completion-request', body)) return undefined;
    return { attributes: getChatRequestAttributes(body), model: body.model ?? undefined };
  },
  mapResponse(body, validator) {
    return validator.is('chat-completion-response', body) ? getChatResponseAttributes(body) : undefined;
  },
  createStreamMapper: validator => new ChatStreamMapper(validator),
};

class ChatStreamMapper implements StreamMapper {
  private readonly aggregator = new ChatStreamAggregator();
  /** A server that cannot stream the request may send one event holding a whole response. */
  private wholeResponse: ChatCompletionResponse | undefined;
  private invalidEvents = 0;

  constructor(private readonly validator: SchemaValidator) {}

  add(value: unknown): void {
    if (this.validator.is('chat-completion-chunk', value)) this.aggregator.add(value);
    else if (this.validator.is('chat-completion-response', value)) this.wholeResponse = value;
    else this.invalidEvents++;
  }

  finish() {
    const response = this.wholeResponse ?? this.aggregator.result();
    const attributes: Attributes = response === undefined ? {} : {
      ...getChatResponseAttributes(response),
      [A.OUTPUT_VALUE]: JSON.stringify(response),
      [A.OUTPUT_MIME_TYPE]: 'application/json',
    };
    return { attributes, invalidEvents: this.invalidEvents };
  }
}
