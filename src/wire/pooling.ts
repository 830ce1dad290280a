/**
 * Shapes of vLLM's pooling-family wire objects (/pooling, /classify, /score, /rerank),
 * as far as this package reads them. The JSON Schemas in `schemas/` are the source of
 * truth; unread fields stay open.
 */
import type { ChatMessage, ContentPart, Usage } from './chat';
import type { PromptInput } from './completion';

/** `POST /pooling` request body: `input`, chat `messages`, or plugin `data`. */
export interface PoolingRequest {
  model?: string | null;
  input?: PromptInput;
  messages?: ChatMessage[];
  /** IO-processor plugin payload; never read. */
  data?: unknown;
  task?: string | null;
  encoding_format?: string | null;
  /** Element type of base64/binary outputs (`float32` by default). */
  embed_dtype?: string | null;
  dimensions?: number | null;
  [key: string]: unknown;
}

/** One pooled output: a vector, a matrix (token-level), or base64. */
export interface PoolingData {
  index: number;
  object?: string | null;
  data: number[] | number[][] | string;
}

/** `/pooling` response body. */
export interface PoolingResponse {
  id?: string | null;
  object?: string | null;
  created?: number | null;
  model?: string | null;
  data: PoolingData[];
  usage?: Usage | null;
}

/** `POST /classify` request body: `input` or chat `messages`. */
export interface ClassifyRequest {
  model?: string | null;
  input?: PromptInput;
  messages?: ChatMessage[];
  [key: string]: unknown;
}

/** One classification result. */
export interface ClassificationData {
  index: number;
  label?: string | null;
  probs: number[];
  num_classes?: number | null;
}

/** `/classify` response body. */
export interface ClassifyResponse {
  id?: string | null;
  object?: string | null;
  created?: number | null;
  model?: string | null;
  data: ClassificationData[];
  usage?: Usage | null;
}

/** One side item of /score or /rerank: a text, or an object with `text` or multimodal `content`. */
export type ScoreItem = string | { text?: string | null; content?: ContentPart[]; [key: string]: unknown };

/** One side of /score (or /rerank `documents`): one item or a list of items. */
export type ScoreInputs = ScoreItem | ScoreItem[];

/** `POST /score` request body: one of the side pairs text_1/text_2, queries/documents, queries/items, data_1/data_2. */
export interface ScoreRequest {
  model?: string | null;
  text_1?: ScoreInputs;
  text_2?: ScoreInputs;
  queries?: ScoreInputs;
  documents?: ScoreInputs;
  items?: ScoreInputs;
  data_1?: ScoreInputs;
  data_2?: ScoreInputs;
  [key: string]: unknown;
}

/** One pair's score. */
export interface ScoreData {
  index: number;
  object?: string | null;
  score: number;
}

/** `/score` response body. */
export interface ScoreResponse {
  id?: string | null;
  object?: string | null;
  created?: number | null;
  model?: string | null;
  data: ScoreData[];
  usage?: Usage | null;
}

/** `POST /rerank` request body (Jina/Cohere style). */
export interface RerankRequest {
  model?: string | null;
  query: ScoreItem;
  documents: ScoreInputs;
  top_n?: number | null;
  [key: string]: unknown;
}

/** One reranked document; `index` points into the request's documents. */
export interface RerankResult {
  index: number;
  document?: { text?: string | null } | null;
  relevance_score: number;
}

/** `/rerank` response body. */
export interface RerankResponse {
  id?: string | null;
  model?: string | null;
  results: RerankResult[];
  usage?: Usage | null;
}
