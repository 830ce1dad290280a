import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { describeKey, UNCLASSIFIED, type AttributeFamily, type KeyDescription } from './attribute-classes';
import * as A from './attributes';
import { mapAttributes, maskAttribute, maskVerdict } from './masking';
import { resolveGenAiContent, resolveTraceConfig, type Environment, type ResolvedTraceConfig } from './trace-config';
import type { SemconvFamily, VLLMSpanProcessorOptions } from './types';

/** Default cap on `input.value` / `output.value`, in UTF-16 code units: 64 Ki. */
export const DEFAULT_MAX_VALUE_LENGTH = 65_536;

/** Appended to a cut `input.value` / `output.value` (counted in the cap). */
export const TRUNCATION_MARK = '…[truncated]';

const SEMCONV_FAMILIES: readonly SemconvFamily[] = ['both', 'traceai', 'gen_ai'];

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
 * (src/masking.ts), then caps `input.value` / `output.value`. Pure: returns `attributes`
 * itself when nothing changes, a new object otherwise.
 */
export function applyAttributePolicy(attributes: Attributes, policy: AttributePolicy): Attributes {
  return mapAttributes(attributes, (key, value) => policyValue(key, value, policy));
}

/** Where `AttributePolicyWriter` writes: a span. */
export interface AttributeSink {
  setAttribute(key: string, value: AttributeValue): unknown;
}

// What the policy does to a key whatever its value, or that the value must be looked at.
const PASS = 0;
const DROP = 1;
const CHECK = 2;
type KeyVerdict = typeof PASS | typeof DROP | typeof CHECK;

// Keys repeat from span to span; the indexes in them are what could grow without end.
const VERDICT_CACHE_LIMIT = 4096;

/**
 * `applyAttributePolicy` straight into a span, without building the result: the same
 * entries in the same order. Remembers per key what the policy decides when the value
 * does not matter, so that on a typical span no key is classified or masked again.
 */
export class AttributePolicyWriter {
  private readonly verdicts = new Map<string, KeyVerdict>();

  constructor(private readonly policy: AttributePolicy) {}

  /** Sets on `sink` every entry of `attributes` that the policy keeps, masked and capped. */
  write(sink: AttributeSink, attributes: Attributes): void {
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      const verdict = this.verdictOf(key);
      if (verdict === PASS) {
        sink.setAttribute(key, value);
      } else if (verdict === CHECK) {
        const result = policyValue(key, value, this.policy);
        if (result !== undefined) sink.setAttribute(key, result);
      }
    }
  }

  private verdictOf(key: string): KeyVerdict {
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      const description = describeKey(key);
      if (!keeps(this.policy, description)) verdict = DROP;
      else if (isCappedKey(key) || maskVerdict(description.attributeClass ?? UNCLASSIFIED, this.policy.traceConfig) !== 'keep') verdict = CHECK;
      else verdict = PASS;
      if (this.verdicts.size >= VERDICT_CACHE_LIMIT) this.verdicts.clear();
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }
}

/** One entry under the policy: its value to write, or `undefined` to leave it out. */
function policyValue(key: string, value: AttributeValue, policy: AttributePolicy): AttributeValue | undefined {
  const description = describeKey(key);
  if (!keeps(policy, description)) return undefined;
  const masked = maskAttribute(value, description, policy.traceConfig);
  return isCappedKey(key) && typeof masked === 'string' && masked.length > policy.maxValueLength ? truncate(masked, policy.maxValueLength) : masked;
}

/** The `semconv` family filter and the `gen_ai` content opt-in. */
function keeps(policy: AttributePolicy, { family, attributeClass }: KeyDescription): boolean {
  const dropped: AttributeFamily | undefined = policy.semconv === 'traceai' ? 'gen_ai' : policy.semconv === 'gen_ai' ? 'traceai' : undefined;
  if (family === dropped) return false;
  // Unclassified gen_ai.* keys count as content: dropped unless opted in.
  return policy.genAiContent || family !== 'gen_ai' || attributeClass?.kind === 'metadata';
}

// The raw bodies: the only values long enough to need a cap of their own.
function isCappedKey(key: string): boolean {
  return key === A.INPUT_VALUE || key === A.OUTPUT_VALUE;
}

function truncate(value: string, maxLength: number): string {
  const mark = maxLength > TRUNCATION_MARK.length ? TRUNCATION_MARK : '';
  let end = maxLength - mark.length;
  // Never cut a surrogate pair in half.
  if (/[\uD800-\uDBFF]/.test(value.charAt(end - 1))) end--;
  return value.slice(0, end) + mark;
}
