import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as A from '../../src/attributes';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../../src/capture/semconv-http';
import { spanDefinition, type Requirement, type SpanDefinition } from './semconv-model';

/** What the rules need to know of one call beside the span's attributes. */
export interface CallFacts {
  /** The request body as sent (parsed JSON), undefined when there was none. */
  request: Record<string, unknown> | undefined;
  /** Whether the operation ended in an error (the span's status is ERROR). */
  failed: boolean;
}

/** A `conditionally_required` condition of the conventions, as we evaluate it. */
interface Condition {
  /** The condition text exactly as the YAML says it: a changed text fails until read again. */
  text: string;
  applies(facts: CallFacts, attributes: Attributes): boolean;
  /** The value the attribute must then have, when the request says it. */
  expected?(facts: CallFacts): AttributeValue | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every condition of the span and metric definitions we check against, by attribute. */
export const CONDITIONS: Readonly<Record<string, Condition>> = {
  [A.GEN_AI_REQUEST_MODEL]: {
    text: 'If available.',
    applies: facts => typeof facts.request?.model === 'string',
    expected: facts => facts.request?.model as string,
  },
  [A.ERROR_TYPE]: { text: 'if the operation ended in an error', applies: facts => facts.failed },
  [ATTR_SERVER_PORT]: { text: 'If `server.address` is set.', applies: (_facts, attributes) => attributes[ATTR_SERVER_ADDRESS] !== undefined },
  [A.GEN_AI_REQUEST_CHOICE_COUNT]: {
    text: 'if available, in the request, and !=1',
    applies: facts => typeof facts.request?.n === 'number' && facts.request.n !== 1,
    expected: facts => facts.request?.n as number,
  },
  [A.GEN_AI_REQUEST_SEED]: {
    text: 'if applicable and if the request includes a seed',
    applies: facts => typeof facts.request?.seed === 'number',
    expected: facts => facts.request?.seed as number,
  },
  [A.GEN_AI_REQUEST_STREAM]: {
    text: 'If and only if the request is streaming. If unset, the request is assumed to be non-streaming.',
    applies: facts => facts.request?.stream === true,
    expected: () => true,
  },
  // The output format parameters of the OpenAI APIs vLLM serves: chat/completions `response_format`, Responses `text.format`.
  [A.GEN_AI_OUTPUT_TYPE]: {
    text: 'when applicable and if the request includes an output format.',
    applies: facts => isObject(facts.request?.response_format) || (isObject(facts.request?.text) && isObject(facts.request.text.format)),
  },
  // OpenAI's Responses `conversation` parameter; vLLM's protocol has none, so it is never available today.
  [A.GEN_AI_CONVERSATION_ID]: { text: 'when available', applies: facts => facts.request?.conversation !== undefined },
};

/** Attributes that must be absent when their condition does not apply ("if and only if", and error.type: "If the operation has completed successfully, instrumentations SHOULD NOT set error.type" in the error registry). */
const ONLY_IF = new Set<string>([A.GEN_AI_REQUEST_STREAM, A.ERROR_TYPE]);

/** The conventions' span definition of each operation we write. */
export const SPAN_OF_OPERATION: Readonly<Record<string, string>> = {
  [A.OperationValues.CHAT]: 'span.gen_ai.inference.client',
  [A.OperationValues.TEXT_COMPLETION]: 'span.gen_ai.inference.client',
  [A.OperationValues.EMBEDDINGS]: 'span.gen_ai.embeddings.client',
};

/**
 * The definition a span of `operation` is checked against. Operations the conventions define no
 * span for (rerank, score, classify) get the attributes common to GenAI client spans, plus
 * `gen_ai.provider.name`, which every GenAI client span definition requires.
 */
export function definitionFor(operation: string): SpanDefinition {
  const id = SPAN_OF_OPERATION[operation];
  if (id !== undefined) return spanDefinition(id);
  const common = spanDefinition('attributes.gen_ai.common.client');
  common.attributes.set(A.GEN_AI_PROVIDER_NAME, { level: 'required' });
  return { ...common, spanKind: 'client' };
}

/**
 * What breaks `definition`'s requirements in `attributes`: a required attribute missing; a
 * conditionally required one missing (or with another value than the request's) when its
 * condition applies, or present when an "only if" condition does not; a condition we have no
 * evaluation for, or whose text changed.
 */
export function requirementViolations(attributes: Attributes, definition: SpanDefinition | Map<string, Requirement>, facts: CallFacts): string[] {
  const requirements = definition instanceof Map ? definition : definition.attributes;
  const problems: string[] = [];
  for (const [key, requirement] of requirements) {
    const present = attributes[key] !== undefined;
    if (requirement.level === 'required' && !present) problems.push(`required ${key} missing`);
    if (requirement.level !== 'conditionally_required') continue;
    const condition = CONDITIONS[key];
    if (condition === undefined || condition.text !== requirement.condition) {
      problems.push(`no evaluation for the condition of ${key}: ${JSON.stringify(requirement.condition)}`);
      continue;
    }
    const applies = condition.applies(facts, attributes);
    if (applies && !present) problems.push(`conditionally required ${key} missing (${condition.text})`);
    const expected = applies ? condition.expected?.(facts) : undefined;
    if (applies && present && expected !== undefined && attributes[key] !== expected) problems.push(`${key} is ${JSON.stringify(attributes[key])}, the request says ${JSON.stringify(expected)}`);
    if (!applies && present && ONLY_IF.has(key)) problems.push(`${key} set though its condition does not apply (${condition.text})`);
  }
  return problems;
}

/** Keys of `attributes` in `namespace` that `definition` does not list. */
export function unlistedKeys(attributes: Attributes, definition: SpanDefinition, namespace = A.GEN_AI_NAMESPACE): string[] {
  return Object.keys(attributes).filter(key => key.startsWith(namespace) && !definition.attributes.has(key));
}

/** The span name the conventions ask for: `{gen_ai.operation.name} {gen_ai.request.model}`, the operation alone without a model. */
export function expectedSpanName(attributes: Attributes): string {
  const model = attributes[A.GEN_AI_REQUEST_MODEL];
  return model === undefined ? String(attributes[A.GEN_AI_OPERATION_NAME]) : `${String(attributes[A.GEN_AI_OPERATION_NAME])} ${String(model)}`;
}
