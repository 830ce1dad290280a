import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { ClassifyRequest, ClassifyResponse } from '../wire/pooling';
import { addInvocationParametersAttributes, addModelAttributes, responseIdentityAndUsageAttributes } from './common';
import type { MappingOptions } from '../endpoints/endpoint-handler';
import { addConversationAttributes, addPromptAttributes } from './inputs';
import { writesOpenInferenceMessages } from './messages';

const CLASSIFY_CONTENT_KEYS = ['input', 'messages', 'model'] as const;

/** Request side of `/classify`: model, the texts as `llm.prompts.{i}` (or the chat messages), parameters. */
export function getClassifyRequestAttributes(request: ClassifyRequest, options?: MappingOptions): Attributes {
  const attributes: Attributes = {};
  addModelAttributes(attributes, request.model);
  addInvocationParametersAttributes(attributes, request, CLASSIFY_CONTENT_KEYS);
  addPromptAttributes(attributes, request.input);
  addConversationAttributes(attributes, request.messages, writesOpenInferenceMessages(options));
  return attributes;
}

/** Response side of `/classify`: `vllm.classification.{index}.label|probs` per input, usage. */
export function getClassifyResponseAttributes(response: ClassifyResponse): Attributes {
  const attributes = responseIdentityAndUsageAttributes(response);
  for (const result of response.data) {
    if (typeof result.label === 'string') attributes[A.classificationKey(result.index, A.CLASSIFICATION_LABEL)] = result.label;
    attributes[A.classificationKey(result.index, A.CLASSIFICATION_PROBS)] = result.probs;
  }
  return attributes;
}
