import * as A from '../attributes';
import { getEmbeddingRequestAttributes, getEmbeddingResponseAttributes } from '../mappers/embedding';
import { defineHandler } from './define-handler';

/**
 * `POST /pooling`: the model's pooled hidden states, which are embeddings in all but name,
 * so the span is an EMBEDDING span with the `embeddings` operation. IO-processor plugin
 * responses have another shape; they fail the schema and only the request is recorded.
 */
export const poolingHandler = defineHandler({
  spanKind: A.SpanKindValues.EMBEDDING,
  operation: A.OperationValues.EMBEDDINGS,
  requestSchema: 'pooling-request',
  responseSchema: 'pooling-response',
  getRequestAttributes: getEmbeddingRequestAttributes,
  requestRepair: { fillers: { input: '' }, itemSchemas: { messages: 'chat-message' } },
  getResponseAttributes: (response, request, options) =>
    getEmbeddingResponseAttributes(response, response.data.map(item => ({ index: item.index, values: item.data })), request, options),
});
