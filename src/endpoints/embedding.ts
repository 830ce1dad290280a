import * as A from '../attributes';
import { getEmbeddingRequestAttributes, getEmbeddingResponseAttributes } from '../mappers/embedding';
import { defineHandler } from './define-handler';

/** `POST /v1/embeddings`. */
export const embeddingHandler = defineHandler({
  spanKind: A.SpanKindValues.EMBEDDING,
  operation: A.OperationValues.EMBEDDINGS,
  requestSchema: 'embedding-request',
  responseSchema: 'embedding-response',
  getRequestAttributes: getEmbeddingRequestAttributes,
  requestRepair: { fillers: { input: '' } },
  getResponseAttributes: (response, request, options) =>
    getEmbeddingResponseAttributes(response, response.data.map(item => ({ index: item.index, values: item.embedding })), request, options),
});
