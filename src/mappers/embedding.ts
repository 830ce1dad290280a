import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { MappingOptions } from '../endpoints/endpoint-handler';
import type { Usage } from '../wire/chat';
import type { EmbeddingRequest } from '../wire/embedding';
import { addInvocationParametersAttributes, addModelAttributes, responseIdentityAndUsageAttributes } from './common';
import { addConversationAttributes, isConversationInput, promptTexts } from './inputs';
import { writesOpenInferenceMessages } from './messages';

/** The request fields that embeddings and `/pooling` share. */
export type EmbeddingLikeRequest = Pick<EmbeddingRequest, 'model' | 'input' | 'messages' | 'encoding_format' | 'embed_dtype' | 'dimensions'>;

/** One output of an embeddings-like response: a vector, a matrix (token-level pooling) or base64. */
export interface PooledOutput {
  index: number;
  values: number[] | number[][] | string;
}

/** The response fields that embeddings and `/pooling` share. */
export interface EmbeddingLikeResponse {
  id?: string | null;
  model?: string | null;
  usage?: Usage | null;
}

// Content and identity, not invocation parameters; `data` is the /pooling IO-plugin payload.
const EMBEDDING_CONTENT_KEYS = ['input', 'messages', 'data', 'model'] as const;

// Bytes per element of the types vLLM packs base64 vectors in (`embed_dtype`, float32 by default).
const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = { float32: 4, float16: 2, bfloat16: 2, fp8_e4m3: 1, fp8_e5m2: 1 };

/**
 * Request side of an embeddings or `/pooling` call: model (also as `embedding.model_name`),
 * `embedding.embeddings.{i}.embedding.text` per text input, the messages of a chat-style input,
 * parameters, encoding format, and the requested dimension count.
 */
export function getEmbeddingRequestAttributes(request: EmbeddingLikeRequest, options?: MappingOptions): Attributes {
  const attributes: Attributes = {};
  addModelAttributes(attributes, request.model);
  addInvocationParametersAttributes(attributes, request, EMBEDDING_CONTENT_KEYS);
  if (typeof request.model === 'string') attributes[A.EMBEDDING_MODEL_NAME] = request.model;
  const input = request.input;
  const openInference = writesOpenInferenceMessages(options);
  if (isConversationInput(input)) addConversationAttributes(attributes, input, openInference);
  else promptTexts(input).forEach((text, index) => (attributes[A.embeddingKey(index, A.EMBEDDING_TEXT)] = text));
  addConversationAttributes(attributes, request.messages, openInference);
  if (typeof request.encoding_format === 'string') attributes[A.GEN_AI_REQUEST_ENCODING_FORMATS] = [request.encoding_format];
  if (typeof request.dimensions === 'number') attributes[A.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = request.dimensions;
  return attributes;
}

/**
 * Response side: identity, usage, the dimension count of the vectors returned, and each
 * float vector as `embedding.embeddings.{index}.embedding.vector` when it may be recorded.
 * Base64 vectors are only measured (their byte length), never decoded or stored.
 */
export function getEmbeddingResponseAttributes(
  response: EmbeddingLikeResponse,
  outputs: readonly PooledOutput[],
  request: EmbeddingLikeRequest | undefined,
  options: MappingOptions,
): Attributes {
  const attributes = responseIdentityAndUsageAttributes(response);
  const dimensions = outputs.length === 0 ? undefined : dimensionCount(outputs[0].values, request?.embed_dtype ?? 'float32');
  if (dimensions !== undefined) attributes[A.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions;
  for (const output of outputs) {
    if (isVector(output.values) && isVectorRecorded(output.values, options)) {
      attributes[A.embeddingKey(output.index, A.EMBEDDING_VECTOR)] = output.values;
    }
  }
  return attributes;
}

/**
 * The one place that decides whether a vector is recorded at all. TraceConfig's
 * `hideEmbeddingVectors` then redacts recorded ones with the other privacy switches
 * (src/privacy/attribute-classes.ts), so that every hidden value reads the same.
 */
function isVectorRecorded(vector: readonly number[], options: MappingOptions): boolean {
  return vector.length > 0 && vector.length <= options.maxEmbeddingVectorLength;
}

function isVector(values: PooledOutput['values']): values is number[] {
  return Array.isArray(values) && (values.length === 0 || typeof values[0] === 'number');
}

/** Elements per vector (per token row for a matrix); undefined for an unknown base64 element type. */
function dimensionCount(values: PooledOutput['values'], embedDtype: string): number | undefined {
  if (typeof values === 'string') {
    const bytesPerElement = BYTES_PER_ELEMENT[embedDtype];
    if (bytesPerElement === undefined) return undefined;
    // Buffer.byteLength measures the decoded size without decoding.
    const count = Buffer.byteLength(values, 'base64') / bytesPerElement;
    return Number.isInteger(count) ? count : undefined;
  }
  if (isVector(values)) return values.length;
  return values[0]?.length;
}
