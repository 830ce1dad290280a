import type { EndpointKind } from '../routing';
import { chatHandler } from './chat';
import { classifyHandler } from './classify';
import { completionHandler } from './completion';
import { embeddingHandler } from './embedding';
import type { EndpointHandler } from './endpoint-handler';
import { poolingHandler } from './pooling';
import { rerankHandler } from './rerank';
import { responsesHandler } from './responses';
import { scoreHandler } from './score';

/** The handler of every endpoint that is traced (the type makes a missing one a compile error). */
export const ENDPOINT_HANDLERS: Readonly<Record<EndpointKind, EndpointHandler>> = {
  chat: chatHandler,
  completion: completionHandler,
  embedding: embeddingHandler,
  responses: responsesHandler,
  pooling: poolingHandler,
  classify: classifyHandler,
  score: scoreHandler,
  rerank: rerankHandler,
};
