import { ResponsesStreamAggregator } from '../aggregate/responses-stream';
import * as A from '../attributes';
import { getResponsesRequestAttributes, getResponsesResponseAttributes } from '../mappers/responses';
import { defineHandler } from './define-handler';
import { AggregatingStreamMapper } from './stream-mapper';

/** `POST /v1/responses`: the GenAI conventions map OpenAI's Responses API to the `chat` operation. */
export const responsesHandler = defineHandler({
  spanKind: A.SpanKindValues.LLM,
  operation: A.OperationValues.CHAT,
  requestSchema: 'responses-request',
  responseSchema: 'responses-response',
  getRequestAttributes: getResponsesRequestAttributes,
  getResponseAttributes: getResponsesResponseAttributes,
  requestRepair: { fillers: { input: [] } },
  createStreamMapper: ({ validator, options }) =>
    new AggregatingStreamMapper(validator, {
      eventSchema: 'responses-stream-event',
      aggregator: new ResponsesStreamAggregator(),
      mapResult: result => getResponsesResponseAttributes(result, undefined, options),
    }),
});
