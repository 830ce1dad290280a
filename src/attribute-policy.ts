import type { Attributes } from '@opentelemetry/api';
import type { AttributeFamily } from './attribute-classes';
import * as A from './attributes';
import { maskAttributes } from './masking';
import { resolveGenAiContent, resolveTraceConfig, type Environment, type ResolvedTraceConfig } from './trace-config';
import type { SemconvFamily, VLLMSpanProcessorOptions } from './types';

/** Default cap on `input.value` / `output.value`, in UTF-16 code units: 64 Ki. */
export const DEFAULT_MAX_VALUE_LENGTH = 65_536;

/** Appended to a cut `input.value` / `output.value` (counted in the cap). */
export const TRUNCATION_MARK = '…[truncated]';

const SEMCONV_FAMILIES: readonly SemconvFamily[] = ['both', 'traceai', 'gen_ai'];

// The raw bodies: the only values long enough to need a cap of their own.
const CAPPED_KEYS = [A.INPUT_VALUE, A.OUTPUT_VALUE] as const;

/** What the final pass over a span's attributes needs, resolved once at construction. */
export interface AttributePolicy {
  traceConfig: ResolvedTraceConfig;
  semconv: SemconvFamily;
  /** Whether the opt-in `gen_ai.*` content attributes are kept. */
  genAiContent: boolean;
  maxValueLength: number;
}

/** Validates and resolves the attribute options (option > environment > default); throws TypeError on a wrong type. */
export function resolveAttributePolicy(options: VLLMSpanProcessorOptions | undefined, env: Environment = process.env): AttributePolicy {
  const semconv = options?.semconv ?? 'both';
  if (!SEMCONV_FAMILIES.includes(semconv)) {
    throw new TypeError(`semconv must be one of ${SEMCONV_FAMILIES.map(s => `'${s}'`).join(', ')}, got ${JSON.stringify(semconv)}`);
  }
  const maxValueLength = options?.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  if (typeof maxValueLength !== 'number' || !(Number.isInteger(maxValueLength) || maxValueLength === Infinity) || maxValueLength <= 0) {
    throw new TypeError(`maxValueLength must be a positive integer or Infinity, got ${String(maxValueLength)}`);
  }
  return {
    traceConfig: resolveTraceConfig(options?.traceConfig, env),
    semconv,
    genAiContent: resolveGenAiContent(options?.genAiContent, env),
    maxValueLength,
  };
}

/**
 * The final pass over every attribute set this package writes (span start and rewrite):
 * keeps the chosen `semconv` family, drops `gen_ai.*` content unless opted in, masks
 * (src/masking.ts; the same pass), then caps `input.value` / `output.value`. Pure: returns
 * `attributes` itself when nothing changes, a new object otherwise.
 */
export function applyAttributePolicy(attributes: Attributes, policy: AttributePolicy): Attributes {
  const dropped: AttributeFamily | undefined = policy.semconv === 'traceai' ? 'gen_ai' : policy.semconv === 'gen_ai' ? 'traceai' : undefined;
  const masked = maskAttributes(attributes, policy.traceConfig, (_key, { family, attributeClass }) => {
    if (family === dropped) return false;
    // Unclassified gen_ai.* keys count as content: dropped unless opted in.
    return policy.genAiContent || family !== 'gen_ai' || attributeClass?.kind === 'metadata';
  });
  let capped = masked;
  for (const key of CAPPED_KEYS) {
    const value = masked[key];
    if (typeof value !== 'string' || value.length <= policy.maxValueLength) continue;
    // Never write into the caller's object (maskAttributes returns it when nothing changed).
    if (capped === attributes) capped = { ...attributes };
    capped[key] = truncate(value, policy.maxValueLength);
  }
  return capped;
}

function truncate(value: string, maxLength: number): string {
  const mark = maxLength > TRUNCATION_MARK.length ? TRUNCATION_MARK : '';
  let end = maxLength - mark.length;
  // Never cut a surrogate pair in half.
  if (/[\uD800-\uDBFF]/.test(value.charAt(end - 1))) end--;
  return value.slice(0, end) + mark;
}
