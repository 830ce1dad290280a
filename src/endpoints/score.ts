import * as A from '../attributes';
import { getScoreRequestAttributes, getScoreResponseAttributes } from '../mappers/rerank';
import { defineHandler } from './define-handler';

/** `POST /score` and `/v1/score`: a RERANKER span, since it scores documents against a query like rerank. */
export const scoreHandler = defineHandler({
  spanKind: A.SpanKindValues.RERANKER,
  operation: A.OperationValues.SCORE,
  requestSchema: 'score-request',
  responseSchema: 'score-response',
  getRequestAttributes: getScoreRequestAttributes,
  getResponseAttributes: getScoreResponseAttributes,
  requestRepair: { fillers: { text_1: '', text_2: '' } },
});
