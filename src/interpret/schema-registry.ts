/**
 * Every wire schema, keyed by schema id (the file name without `.json`). Imported as
 * JSON modules so the compiled package needs no fs/path lookups at run time; a schema
 * file that is not listed here is never compiled.
 */
import chatCompletionChunk from '../../schemas/chat-completion-chunk.json';
import chatCompletionRequest from '../../schemas/chat-completion-request.json';
import chatCompletionResponse from '../../schemas/chat-completion-response.json';
import chatMessage from '../../schemas/chat-message.json';
import classifyRequest from '../../schemas/classify-request.json';
import classifyResponse from '../../schemas/classify-response.json';
import completionChunk from '../../schemas/completion-chunk.json';
import completionRequest from '../../schemas/completion-request.json';
import completionResponse from '../../schemas/completion-response.json';
import embeddingRequest from '../../schemas/embedding-request.json';
import embeddingResponse from '../../schemas/embedding-response.json';
import errorDetail from '../../schemas/error-detail.json';
import errorFlat from '../../schemas/error-flat.json';
import errorNested from '../../schemas/error-nested.json';
import poolingRequest from '../../schemas/pooling-request.json';
import poolingResponse from '../../schemas/pooling-response.json';
import promptInput from '../../schemas/prompt-input.json';
import rerankRequest from '../../schemas/rerank-request.json';
import rerankResponse from '../../schemas/rerank-response.json';
import responsesRequest from '../../schemas/responses-request.json';
import responsesResponse from '../../schemas/responses-response.json';
import responsesStreamEvent from '../../schemas/responses-stream-event.json';
import scoreRequest from '../../schemas/score-request.json';
import scoreResponse from '../../schemas/score-response.json';
import usage from '../../schemas/usage.json';

/** Schema JSON by schema id; each schema's `$id` is `<id>.json`. */
export const SCHEMAS = {
  'chat-completion-chunk': chatCompletionChunk,
  'chat-completion-request': chatCompletionRequest,
  'chat-completion-response': chatCompletionResponse,
  'chat-message': chatMessage,
  'classify-request': classifyRequest,
  'classify-response': classifyResponse,
  'completion-chunk': completionChunk,
  'completion-request': completionRequest,
  'completion-response': completionResponse,
  'embedding-request': embeddingRequest,
  'embedding-response': embeddingResponse,
  'error-detail': errorDetail,
  'error-flat': errorFlat,
  'error-nested': errorNested,
  'pooling-request': poolingRequest,
  'pooling-response': poolingResponse,
  'prompt-input': promptInput,
  'rerank-request': rerankRequest,
  'rerank-response': rerankResponse,
  'responses-request': responsesRequest,
  'responses-response': responsesResponse,
  'responses-stream-event': responsesStreamEvent,
  'score-request': scoreRequest,
  'score-response': scoreResponse,
  usage,
} as const;
