/**
 * Every attribute key this package writes, as constants. Keys that carry an index
 * (`llm.input_messages.{n}.role`) are built by the helpers at the bottom so the
 * spelling lives in one place.
 */

// traceAI / OpenInference family (the seed README's contract).
export const FI_SPAN_KIND = 'fi.span.kind';
export const LLM_SYSTEM = 'llm.system';
export const LLM_PROVIDER = 'llm.provider';
export const LLM_MODEL = 'llm.model';
export const LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
export const LLM_TOKEN_COUNT_TOTAL = 'llm.token_count.total';
export const LLM_TOKEN_COUNT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
export const LLM_TOKEN_COUNT_REASONING = 'llm.token_count.completion_details.reasoning';
export const LLM_INPUT_MESSAGES = 'llm.input_messages';
export const LLM_OUTPUT_MESSAGES = 'llm.output_messages';
export const LLM_INVOCATION_PARAMETERS = 'llm.invocation_parameters';
export const LLM_TOOLS = 'llm.tools';
export const LLM_PROMPTS = 'llm.prompts';
export const INPUT_VALUE = 'input.value';
export const INPUT_MIME_TYPE = 'input.mime_type';
export const OUTPUT_VALUE = 'output.value';
export const OUTPUT_MIME_TYPE = 'output.mime_type';

// OpenInference keys that Phoenix, Arize AX and Langfuse read (Arize-ai/openinference
// spec/semantic_conventions.md): the span kind and the model name are written on every span.
export const OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const LLM_MODEL_NAME = 'llm.model_name';

// OpenInference's per-message form (`llm.input_messages.{n}.` + suffix), written beside the seed's
// flat `llm.input_messages.{n}.role|content` when `semconv` is 'all' or 'openinference'.
export const OI_MESSAGE_ROLE = 'message.role';
export const OI_MESSAGE_CONTENT = 'message.content';
export const OI_MESSAGE_NAME = 'message.name';
export const OI_MESSAGE_TOOL_CALL_ID = 'message.tool_call_id';
export const OI_MESSAGE_TOOL_CALLS = 'message.tool_calls';
export const OI_MESSAGE_CONTENTS = 'message.contents';
export const OI_TOOL_CALL_ID = 'tool_call.id';
export const OI_TOOL_CALL_FUNCTION_NAME = 'tool_call.function.name';
export const OI_TOOL_CALL_FUNCTION_ARGUMENTS = 'tool_call.function.arguments';
export const OI_CONTENT_TYPE = 'message_content.type';
export const OI_CONTENT_TEXT = 'message_content.text';
export const OI_CONTENT_IMAGE_URL = 'message_content.image.image.url';

// Suffixes of one message (`llm.input_messages.{n}.` + suffix).
export const MESSAGE_ROLE = 'role';
export const MESSAGE_CONTENT = 'content';
export const MESSAGE_NAME = 'name';
export const MESSAGE_REASONING = 'reasoning';
/** An assistant message's `refusal` text (OpenAI's field, kept by vLLM's protocol). */
export const MESSAGE_REFUSAL = 'refusal';
export const MESSAGE_TOOL_CALL_ID = 'tool_call_id';
export const MESSAGE_TOOL_CALLS = 'tool_calls';
export const MESSAGE_CONTENTS = 'contents';
export const TOOL_CALL_ID = 'id';
export const TOOL_CALL_FUNCTION_NAME = 'function.name';
export const TOOL_CALL_FUNCTION_ARGUMENTS = 'function.arguments';
export const CONTENT_TYPE = 'type';
export const CONTENT_TEXT = 'text';
export const CONTENT_IMAGE_URL = 'image_url';

// OpenTelemetry GenAI semantic conventions (client inference span).
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ERROR_TYPE = 'error.type';

// GenAI opt-in content (structured JSON, `src/mappers/gen-ai-content.ts`) and request facts.
export const GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';
export const GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
/** Metric attribute of `gen_ai.client.token.usage`: `input` or `output`. */
export const GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';

// OpenInference embedding spans (`embedding.embeddings.{i}.` + suffix).
export const EMBEDDING_MODEL_NAME = 'embedding.model_name';
export const EMBEDDING_EMBEDDINGS = 'embedding.embeddings';
export const EMBEDDING_TEXT = 'embedding.text';
export const EMBEDDING_VECTOR = 'embedding.vector';

// OpenInference reranker spans (`reranker.{input|output}_documents.{i}.` + document suffix).
export const RERANKER_QUERY = 'reranker.query';
export const RERANKER_MODEL_NAME = 'reranker.model_name';
export const RERANKER_TOP_K = 'reranker.top_k';
export const RERANKER_INPUT_DOCUMENTS = 'reranker.input_documents';
export const RERANKER_OUTPUT_DOCUMENTS = 'reranker.output_documents';
export const DOCUMENT_ID = 'document.id';
export const DOCUMENT_SCORE = 'document.score';
export const DOCUMENT_CONTENT = 'document.content';

// GenAI embeddings attributes.
export const GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
export const GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';

// vLLM-only facts.
export const VLLM_STOP_REASON = 'vllm.stop_reason';
export const VLLM_CAPTURE_TRUNCATED = 'vllm.capture.truncated';
/** How many of the request's oldest messages the span's attribute limit left out of `llm.input_messages.{n}.*` (absent: none). */
export const VLLM_INPUT_MESSAGES_OMITTED = 'vllm.input_messages.omitted';

// vLLM request facts beside the sampling parameters (`src/mappers/vllm-request.ts`).
/** `request_id` as the caller set it (vLLM uses it through the engine and in its own logs). */
export const VLLM_REQUEST_ID = 'vllm.request.id';
/** `priority` (lower is handled earlier with priority scheduling). */
export const VLLM_REQUEST_PRIORITY = 'vllm.request.priority';
/** `true` when output logprobs were asked for (chat `logprobs: true`, completions `logprobs: <n>`). */
export const VLLM_REQUEST_LOGPROBS = 'vllm.request.logprobs';
/** How many alternatives per output token (chat `top_logprobs`, completions `logprobs`). */
export const VLLM_REQUEST_TOP_LOGPROBS = 'vllm.request.top_logprobs';
/** `prompt_logprobs`: alternatives per prompt token. */
export const VLLM_REQUEST_PROMPT_LOGPROBS = 'vllm.request.prompt_logprobs';
/** The kind of structured output asked for (`json_schema`, `json_object`, `regex`, `choice`, `grammar`, `structural_tag`), never the schema. */
export const VLLM_REQUEST_STRUCTURED_OUTPUT = 'vllm.request.structured_output';
/** `chat_template_kwargs.enable_thinking` (or `thinking`), as a boolean. */
export const VLLM_REQUEST_ENABLE_THINKING = 'vllm.request.enable_thinking';
/** `service_tier` of the request (Responses API). */
export const VLLM_REQUEST_SERVICE_TIER = 'vllm.request.service_tier';
/** `kv_transfer_params` sent to a decode instance (disaggregated prefill), compact JSON. */
export const VLLM_REQUEST_KV_TRANSFER_PARAMS = 'vllm.request.kv_transfer_params';
/** `service_tier` of the response, when not null. */
export const VLLM_RESPONSE_SERVICE_TIER = 'vllm.response.service_tier';
/** `kv_transfer_params` returned by a prefill instance (disaggregated prefill), compact JSON. */
export const VLLM_RESPONSE_KV_TRANSFER_PARAMS = 'vllm.response.kv_transfer_params';
/** `/classify` results: `vllm.classification.{i}.label|probs`. */
export const VLLM_CLASSIFICATION = 'vllm.classification';
export const CLASSIFICATION_LABEL = 'label';
export const CLASSIFICATION_PROBS = 'probs';

/**
 * Key namespaces, for the `semconv` filter: the traceAI family, the GenAI family. Keys in
 * neither (`fi.span.kind`, `error.type`, `server.*`, `vllm.*`) belong to both.
 */
export const TRACEAI_NAMESPACES = ['llm.', 'input.', 'output.', 'embedding.', 'reranker.', 'fi.'] as const;
export const GEN_AI_NAMESPACE = 'gen_ai.';

/** Values of `fi.span.kind`. */
export const SpanKindValues = { LLM: 'LLM', EMBEDDING: 'EMBEDDING', RERANKER: 'RERANKER' } as const;

/**
 * Values of `gen_ai.operation.name`. `chat`, `text_completion` and `embeddings` are the GenAI
 * semantic conventions' own (the Responses API is `chat`, as the conventions map OpenAI's);
 * `rerank` follows the open proposal semantic-conventions-genai#253; `score` and `classify`
 * have no convention yet and are named after vLLM's endpoints.
 */
export const OperationValues = {
  CHAT: 'chat',
  TEXT_COMPLETION: 'text_completion',
  EMBEDDINGS: 'embeddings',
  RERANK: 'rerank',
  SCORE: 'score',
  CLASSIFY: 'classify',
} as const;

/** The provider name written to `llm.system`, `llm.provider` and `gen_ai.provider.name`. */
export const VLLM_PROVIDER = 'vllm';

/** `llm.input_messages.{index}.{suffix}` */
export const inputMessageKey = (index: number, suffix: string): string => `${LLM_INPUT_MESSAGES}.${index}.${suffix}`;

/** `llm.output_messages.{index}.{suffix}` */
export const outputMessageKey = (index: number, suffix: string): string => `${LLM_OUTPUT_MESSAGES}.${index}.${suffix}`;

/** `tool_calls.{index}.{suffix}`, relative to a message prefix. */
export const toolCallSuffix = (index: number, suffix: string): string => `${MESSAGE_TOOL_CALLS}.${index}.${suffix}`;

/** `message.tool_calls.{index}.{suffix}`, relative to a message prefix (OpenInference). */
export const oiToolCallSuffix = (index: number, suffix: string): string => `${OI_MESSAGE_TOOL_CALLS}.${index}.${suffix}`;

/** `message.contents.{index}.{suffix}`, relative to a message prefix (OpenInference). */
export const oiContentPartSuffix = (index: number, suffix: string): string => `${OI_MESSAGE_CONTENTS}.${index}.${suffix}`;

/** `contents.{index}.{suffix}`, relative to a message prefix. */
export const contentPartSuffix = (index: number, suffix: string): string => `${MESSAGE_CONTENTS}.${index}.${suffix}`;

/** `llm.prompts.{index}` */
export const promptKey = (index: number): string => `${LLM_PROMPTS}.${index}`;

/** `embedding.embeddings.{index}.{suffix}` */
export const embeddingKey = (index: number, suffix: string): string => `${EMBEDDING_EMBEDDINGS}.${index}.${suffix}`;

/** `{documents}.{index}.{suffix}`, for `reranker.input_documents` and `reranker.output_documents`. */
export const documentKey = (documents: string, index: number, suffix: string): string => `${documents}.${index}.${suffix}`;

/** `vllm.classification.{index}.{suffix}` */
export const classificationKey = (index: number, suffix: string): string => `${VLLM_CLASSIFICATION}.${index}.${suffix}`;
