import * as A from '../attributes';
import { getClassifyRequestAttributes, getClassifyResponseAttributes } from '../mappers/classify';
import { defineHandler } from './define-handler';

/** `POST /classify`: a model call that answers labels, so an LLM span with the `classify` operation. */
export const classifyHandler = defineHandler({
  spanKind: A.SpanKindValues.LLM,
  operation: A.OperationValues.CLASSIFY,
  requestSchema: 'classify-request',
  responseSchema: 'classify-response',
  getRequestAttributes: getClassifyRequestAttributes,
  getResponseAttributes: getClassifyResponseAttributes,
  requestRepair: { fillers: { input: '' }, itemSchemas: { messages: 'chat-message' } },
});
