import { CompletionStreamAggregator } from '../aggregate/completion-stream';
import * as A from '../attributes';
import { getCompletionRequestAttributes, getCompletionResponseAttributes } from '../mappers/completion';
import { defineHandler } from './define-handler';
import { AggregatingStreamMapper } from './stream-mapper';

/** `POST /v1/completions`. */
export const completionHandler = defineHandler({
  spanKind: A.SpanKindValues.LLM,
  operation: A.OperationValues.TEXT_COMPLETION,
  requestSchema: 'completion-request',
  responseSchema: 'completion-response',
  getRequestAttributes: getCompletionRequestAttributes,
  getResponseAttributes: getCompletionResponseAttributes,
  requestRepair: { fillers: {} },
  // A whole `text_completion` body also matches the chunk schema and folds into itself.
  createStreamMapper: ({ validator, options }) =>
    new AggregatingStreamMapper(validator, {
      eventSchema: 'completion-chunk',
      aggregator: new CompletionStreamAggregator(),
      mapResult: result => getCompletionResponseAttributes(result, undefined, options),
    }),
});
