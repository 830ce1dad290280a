import type { Attributes } from '@opentelemetry/api';
import * as A from '../../src/attributes';
import { CONTENT_SCHEMAS, contentViolations } from './semconv-content';
import { registryViolations } from './semconv-registry-rules';
import { definitionFor, expectedSpanName, requirementViolations, unlistedKeys, type CallFacts } from './semconv-span-rules';

/**
 * gen_ai.* keys we write that the operation's span definition does not list, with why. The
 * conventions let instrumentations add registry attributes a span does not list; each one here
 * is a decision, and a key in neither list fails.
 */
export const UNLISTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [A.OperationValues.EMBEDDINGS]: {
    [A.GEN_AI_RESPONSE_ID]: 'vLLM returns an id, as for inference',
    [A.GEN_AI_USAGE_OUTPUT_TOKENS]: "vLLM's usage says completion_tokens: 0, mapped by the shared usage mapper",
  },
  ...Object.fromEntries(
    [A.OperationValues.RERANK, A.OperationValues.SCORE, A.OperationValues.CLASSIFY].map(operation => [
      operation,
      Object.fromEntries(
        [A.GEN_AI_RESPONSE_ID, A.GEN_AI_RESPONSE_MODEL, A.GEN_AI_USAGE_INPUT_TOKENS, A.GEN_AI_USAGE_OUTPUT_TOKENS].map(key => [
          key,
          'no span definition for the operation: the registry attributes inference spans use',
        ]),
      ),
    ]),
  ),
};

/** Every rule of the conventions a rewrite's attributes and name can break; empty when they conform. */
export function conventionViolations(name: string, attributes: Attributes, facts: CallFacts): string[] {
  const operation = String(attributes[A.GEN_AI_OPERATION_NAME]);
  const definition = definitionFor(operation);
  const unlisted = unlistedKeys(attributes, definition).filter(key => UNLISTED[operation]?.[key] === undefined);
  return [
    ...registryViolations(attributes),
    ...requirementViolations(attributes, definition, facts),
    ...unlisted.map(key => `${key} is not listed by ${definition.id} nor in UNLISTED`),
    ...Object.keys(CONTENT_SCHEMAS).flatMap(key => (attributes[key] === undefined ? [] : contentViolations(key, attributes[key]))),
    ...(name === expectedSpanName(attributes) ? [] : [`span name ${JSON.stringify(name)}, expected ${JSON.stringify(expectedSpanName(attributes))}`]),
  ];
}
