/**
 * Shapes of vLLM's chat-completion wire objects, as far as this package reads them.
 * The JSON Schemas in `schemas/` are the source of truth; these types describe what a
 * body that passed its schema is guaranteed to look like. Unread fields stay open.
 */

/** One part of a multimodal message content array. */
export interface ContentPart {
  /** vLLM accepts parts without a type (`{"image_url": ...}`). */
  type?: string;
  text?: string;
  image_url?: { url: string; detail?: string } | string;
  [key: string]: unknown;
}

/** A tool call as it appears in an assistant message (request history or response). */
export interface ToolCall {
  id?: string | null;
  type?: string | null;
  function: { name?: string | null; arguments?: string | null };
}

/** One message of a chat request's `messages`. */
export interface ChatMessage {
  role: string;
  content?: string | Array<ContentPart | string> | null;
  name?: string | null;
  tool_calls?: ToolCall[] | null;
  tool_call_id?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/** A tool definition of a chat request. */
export interface ToolDefinition {
  type: string;
  function?: { name: string; description?: string | null; parameters?: unknown };
}

/** `POST /v1/chat/completions` request body. */
export interface ChatCompletionRequest {
  model?: string | null;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null; continuous_usage_stats?: boolean | null } | null;
  tools?: ToolDefinition[] | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  [key: string]: unknown;
}

/** Token usage as vLLM reports it. */
export interface Usage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/** The assistant message of a non-stream chat choice. */
export interface ChatResponseMessage {
  role?: string | null;
  content?: string | null;
  tool_calls?: ToolCall[] | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  refusal?: string | null;
}

/** One choice of a non-stream chat completion. */
export interface ChatChoice {
  index: number;
  message: ChatResponseMessage;
  finish_reason?: string | null;
  stop_reason?: number | string | null;
}

/** `chat.completion` response body. */
export interface ChatCompletionResponse {
  id?: string | null;
  object?: string | null;
  model?: string | null;
  created?: number | null;
  system_fingerprint?: string | null;
  choices: ChatChoice[];
  usage?: Usage | null;
}

/** A tool-call fragment inside a stream delta. */
export interface ToolCallDelta {
  index?: number | null;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** One choice of a `chat.completion.chunk`. */
export interface ChatChunkChoice {
  index: number;
  delta: {
    role?: string | null;
    content?: string | null;
    reasoning_content?: string | null;
    reasoning?: string | null;
    tool_calls?: ToolCallDelta[] | null;
  };
  finish_reason?: string | null;
  stop_reason?: number | string | null;
}

/** `chat.completion.chunk` stream event. */
export interface ChatCompletionChunk {
  id?: string | null;
  object?: string | null;
  model?: string | null;
  created?: number | null;
  system_fingerprint?: string | null;
  choices: ChatChunkChoice[];
  usage?: Usage | null;
}
