/**
 * Shapes of vLLM's /v1/responses wire objects, as far as this package reads them.
 * The JSON Schemas in `schemas/` are the source of truth; unread fields stay open.
 */

/** A content part of a Responses input item (`input_text`, `output_text`, `input_image`, ...). */
export interface ResponsesInputContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/** One Responses input item: a message ({role, content}), function_call, function_call_output, ... */
export interface ResponsesInputItem {
  type?: string;
  role?: string | null;
  content?: string | ResponsesInputContentPart[] | null;
  call_id?: string | null;
  name?: string | null;
  arguments?: string | null;
  /** `function_call_output`: the tool's result as text, or content parts. */
  output?: string | unknown[];
  [key: string]: unknown;
}

/** A tool definition of a Responses request (flat: `name` sits beside `type`). */
export interface ResponsesTool {
  type: string;
  name?: string | null;
  description?: string | null;
  [key: string]: unknown;
}

/** `POST /v1/responses` request body. */
export interface ResponsesRequest {
  model?: string | null;
  input: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[] | null;
  stream?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  reasoning?: { effort?: string | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** A content part of an output message: `output_text` carries `text`, `refusal` carries `refusal`. */
export interface ResponsesOutputContent {
  type: string;
  text?: string;
  refusal?: string | null;
  [key: string]: unknown;
}

/** Output item `type: "message"`. */
export interface ResponsesOutputMessage {
  type: 'message';
  id?: string | null;
  status?: string | null;
  role?: string | null;
  content: ResponsesOutputContent[];
}

/** A text part of a reasoning item (`summary_text` or `reasoning_text`). */
export interface ResponsesReasoningPart {
  type?: string;
  text: string;
}

/** Output item `type: "reasoning"`. */
export interface ResponsesReasoningItem {
  type: 'reasoning';
  id?: string | null;
  status?: string | null;
  summary?: ResponsesReasoningPart[] | null;
  content?: ResponsesReasoningPart[] | null;
  encrypted_content?: string | null;
}

/** Output item `type: "function_call"`. */
export interface ResponsesFunctionCall {
  type: 'function_call';
  id?: string | null;
  status?: string | null;
  call_id: string;
  name: string;
  arguments: string;
}

/** Any other output item kind (web_search_call, mcp_call, ...): only `type` is known. */
export interface ResponsesOtherItem {
  type: string;
  id?: string | null;
  status?: string | null;
  [key: string]: unknown;
}

/** One output item; compare `type` and cast, since the open kind makes the union non-discriminating. */
export type ResponsesOutputItem =
  | ResponsesOutputMessage
  | ResponsesReasoningItem
  | ResponsesFunctionCall
  | ResponsesOtherItem;

/** Token usage of the Responses API (input/output naming). */
export interface ResponsesUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  total_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/** `response` object: the non-stream body and the payload of response.created/completed events. */
export interface ResponsesResponse {
  id?: string | null;
  object?: 'response';
  created_at?: number | null;
  model?: string | null;
  status?: string | null;
  instructions?: string | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  output: ResponsesOutputItem[];
  incomplete_details?: { reason?: string | null } | null;
  error?: { code?: string | null; message?: string | null } | null;
  usage?: ResponsesUsage | null;
}

/** One Responses stream event (`event: <type>` + `data:`); open to new event types. */
export interface ResponsesStreamEvent {
  type: string;
  sequence_number?: number | null;
  response?: ResponsesResponse;
  item?: ResponsesOutputItem;
  output_index?: number | null;
  item_id?: string | null;
  delta?: string;
  [key: string]: unknown;
}
