/**
 * Shapes of vLLM's /v1/embeddings wire objects, as far as this package reads them.
 * The JSON Schemas in `schemas/` are the source of truth; unread fields stay open.
 */
import type { ChatMessage, Usage } from './chat';
import type { PromptInput } from './completion';

/** `POST /v1/embeddings` request body: `input` or chat-style `messages` (one conversation or a batch). */
export interface EmbeddingRequest {
  model?: string | null;
  input?: PromptInput | ChatMessage[] | ChatMessage[][];
  messages?: ChatMessage[] | ChatMessage[][];
  /** `float` or `base64` for JSON bodies; vLLM also has binary forms (`bytes`, ...). */
  encoding_format?: string | null;
  /** Element type of base64/binary vectors (`float32` by default, `float16`, `bfloat16`, `fp8_e4m3`, ...). */
  embed_dtype?: string | null;
  dimensions?: number | null;
  user?: string | null;
  [key: string]: unknown;
}

/** One vector of an embeddings response: floats, or base64 when `encoding_format` was base64. */
export interface EmbeddingData {
  index: number;
  object?: string | null;
  embedding: number[] | string;
}

/** `/v1/embeddings` response body. */
export interface EmbeddingResponse {
  id?: string | null;
  object?: string | null;
  created?: number | null;
  model?: string | null;
  data: EmbeddingData[];
  usage?: Usage | null;
}
