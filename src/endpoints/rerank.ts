import * as A from '../attributes';
import { getRerankRequestAttributes, getRerankResponseAttributes } from '../mappers/rerank';
import { defineHandler } from './define-handler';

/** `POST /rerank`, `/v1/rerank`, `/v2/rerank` (Jina/Cohere style). */
export const rerankHandler = defineHandler({
  spanKind: A.SpanKindValues.RERANKER,
  operation: A.OperationValues.RERANK,
  requestSchema: 'rerank-request',
  responseSchema: 'rerank-response',
  getRequestAttributes: getRerankRequestAttributes,
  getResponseAttributes: getRerankResponseAttributes,
  requestRepair: { fillers: { query: '', documents: [] } },
});
