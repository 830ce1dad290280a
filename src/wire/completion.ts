/**
 * Shapes of vLLM's /v1/completions wire objects, as far as this package reads them.
 * The JSON Schemas in `schemas/` are the source of truth; unread fields stay open.
 */
import type { Usage } from './chat';

/** The four prompt forms: text, a batch of texts, token ids, a batch of token-id lists. */
export type PromptInput = string | string[] | number[] | number[][];

/** `POST /v1/completions` request body (`prompt` may be absent when `prompt_embeds` is sent). */
export interface CompletionRequest {
  model?: string | null;
  prompt?: PromptInput | null;
  suffix?: string | null;
  echo?: boolean | null;
  logprobs?: number | null;
  n?: number | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null; continuous_usage_stats?: boolean | null } | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  [key: string]: unknown;
}

/** One choice of a non-stream text completion. */
export interface CompletionChoice {
  index: number;
  text: string;
  logprobs?: Record<string, unknown> | null;
  finish_reason?: string | null;
  stop_reason?: number | string | null;
  prompt_logprobs?: unknown[] | null;
}

/** `text_completion` response body. */
export interface CompletionResponse {
  id?: string | null;
  object?: string | null;
  created?: number | null;
  model?: string | null;
  system_fingerprint?: string | null;
  choices: CompletionChoice[];
  usage?: Usage | null;
}

/** One choice of a text-completion stream event. */
export interface CompletionChunkChoice {
  index: number;
  text: string;
  logprobs?: Record<string, unknown> | null;
  finish_reason?: string | null;
  stop_reason?: number | string | null;
}

/** Text-completion stream event (`choices: []` on the usage-only final chunk). */
export interface CompletionChunk {
  id?: string | null;
  object?: string | null;
  created?: number | null;
  model?: string | null;
  choices: CompletionChunkChoice[];
  usage?: Usage | null;
}
