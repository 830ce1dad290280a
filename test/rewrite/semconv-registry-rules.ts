import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as A from '../../src/attributes';
import { registryAttribute, type EnumMember, type RegistryAttribute } from './semconv-model';

/** The namespaces whose keys the vendored registries define; keys of these must be registry attributes. */
export const SEMCONV_NAMESPACES = [A.GEN_AI_NAMESPACE, 'error.', 'server.'] as const;

/**
 * Enum values we write that the registry does not list, with why. The registry's GenAI enums
 * are open (semantic-conventions docs/how-to-write-conventions: system identifier enums "don't
 * need to list every possible system"; `gen_ai.operation.name` asks for a system-specific name
 * where no predefined value applies); `error.type` is open by definition (`_OTHER` is its only
 * member). A value in neither list fails, so each new one is a decision written down here.
 */
export const CUSTOM_ENUM_VALUES: Readonly<Record<string, { values: readonly string[] | 'any'; why: string }>> = {
  [A.GEN_AI_PROVIDER_NAME]: { values: [A.VLLM_PROVIDER], why: 'the registry has no vLLM member; vllm is the system identifier' },
  [A.GEN_AI_OPERATION_NAME]: {
    values: [A.OperationValues.RERANK, A.OperationValues.SCORE, A.OperationValues.CLASSIFY],
    why: 'vLLM endpoints with no predefined operation (rerank follows the proposal semantic-conventions-genai#253)',
  },
  [A.ERROR_TYPE]: { values: 'any', why: "error codes of vLLM's error bodies or HTTP status codes, as the registry's examples ('500')" },
};

/** Whether `key` is in one of the namespaces the vendored registries define. */
export function isSemconvKey(key: string): boolean {
  return SEMCONV_NAMESPACES.some(namespace => key.startsWith(namespace));
}

/**
 * What breaks the registry in `attributes`' keys of the semconv namespaces: a key the registry
 * lacks, a deprecated key or enum member, a value not of the registry's type, an enum value not
 * listed (by the registry or CUSTOM_ENUM_VALUES). Empty when all conform.
 */
export function registryViolations(attributes: Attributes): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (!isSemconvKey(key) || value === undefined) continue;
    const definition = registryAttribute(key);
    if (definition === undefined) problems.push(`${key} is not in the registry`);
    else if (definition.deprecated !== undefined) problems.push(`${key} is deprecated: ${JSON.stringify(definition.deprecated)}`);
    else {
      const problem = valueProblem(definition, value);
      if (problem !== undefined) problems.push(`${key}=${JSON.stringify(value)}: ${problem}`);
    }
  }
  return problems;
}

function valueProblem(definition: RegistryAttribute, value: AttributeValue): string | undefined {
  const type = definition.type;
  if (typeof type !== 'string') return enumProblem(definition.id, type.members, value);
  return matchesType(type, value) ? undefined : `not of registry type ${type}`;
}

function enumProblem(key: string, members: readonly EnumMember[], value: AttributeValue): string | undefined {
  if (typeof value !== 'string') return 'an enum value must be a string';
  // A deprecated member may share its value with the one that replaced it (gen_ai.token.type `completion` is "output").
  const matching = members.filter(candidate => candidate.value === value);
  const member = matching.find(candidate => candidate.deprecated === undefined) ?? matching[0];
  if (member?.deprecated !== undefined) return `deprecated enum member ${member.id}`;
  if (member !== undefined) return undefined;
  const custom = CUSTOM_ENUM_VALUES[key]?.values;
  if (custom === 'any' || custom?.includes(value)) return undefined;
  return `not a member (${members.map(candidate => candidate.value).join(', ')}) nor a documented custom value`;
}

// JavaScript has one number type: an `int` must be a whole number; a `double` may be any finite number.
function matchesType(type: string, value: AttributeValue): boolean {
  if (type.endsWith('[]')) return Array.isArray(value) && (value as unknown[]).every(item => matchesType(type.slice(0, -2), item as AttributeValue));
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'any':
      // Span attributes hold no objects: the registry allows "a JSON string if structured format is not supported".
      return typeof value === 'string' && isJson(value);
    default:
      return false;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
