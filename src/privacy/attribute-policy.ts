import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { describeKey, UNCLASSIFIED, type AttributeFamily, type KeyDescription } from './attribute-classes';
import { inputMessageIndex, priorityOf, type PriorityValue } from '../rewrite/attribute-priority';
import { GEN_AI_INPUT_MESSAGES } from '../attributes';
import { mapAttributes, maskAttribute, maskVerdict } from './masking';
import { resolveGenAiContent, resolveTraceConfig, type Environment, type ResolvedTraceConfig } from './trace-config';
import type { AttributeSink } from '../rewrite/span-writer';
import type { SemconvFamily, VLLMSpanProcessorOptions } from '../types';

/** Default cap on every string value (and status message), in UTF-16 code units: 64 Ki. */
export const DEFAULT_MAX_VALUE_LENGTH = 65_536;

/** Appended to a cut `input.value` / `output.value` (counted in the cap). */
export const TRUNCATION_MARK = '…[truncated]';

const SEMCONV_FAMILIES: readonly SemconvFamily[] = ['both', 'all', 'traceai', 'gen_ai', 'openinference'];

/** The key families each `semconv` setting keeps (src/privacy/attribute-classes.ts says which family a key is in). */
const KEPT_FAMILIES: Readonly<Record<SemconvFamily, ReadonlySet<AttributeFamily>>> = {
  both: new Set(['shared', 'traceai', 'seed', 'gen_ai']),
  all: new Set(['shared', 'traceai', 'seed', 'gen_ai', 'openinference']),
  traceai: new Set(['shared', 'traceai', 'seed']),
  gen_ai: new Set(['shared', 'gen_ai']),
  openinference: new Set(['shared', 'traceai', 'openinference']),
};

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
 * (src/privacy/masking.ts), then caps every string value. Pure: returns `attributes`
 * itself when nothing changes, a new object otherwise.
 */
export function applyAttributePolicy(attributes: Attributes, policy: AttributePolicy): Attributes {
  return mapAttributes(attributes, (key, value) => policyValue(key, value, policy));
}

// What the policy does to a key whatever its value, or that the value must be masked.
const PASS = 0;
const DROP = 1;
const CHECK = 2;
type KeyVerdict = typeof PASS | typeof DROP | typeof CHECK;

/** What the writer decides once per key. */
interface KeyPlan {
  verdict: KeyVerdict;
  priority: PriorityValue;
  /** The `{n}` of an input message key, else -1. */
  messageIndex: number;
}

// Keys repeat from span to span; the indexes in them are what could grow without end.
const PLAN_CACHE_LIMIT = 4096;

/**
 * `applyAttributePolicy` into a rewrite's prioritized attributes, without building the result.
 * Remembers per key what the policy decides when the value does not matter, and where the key
 * goes in the write order, so that on a typical span no key is classified or masked again.
 */
export class AttributePolicyWriter {
  private readonly plans = new Map<string, KeyPlan>();

  constructor(private readonly policy: AttributePolicy) {}

  /** Adds to `target` every entry of `attributes` that the policy keeps, masked, with strings cut to `maxLength`. */
  collect(attributes: Attributes, target: AttributeSink, maxLength: number = this.policy.maxValueLength): void {
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      const plan = this.planOf(key);
      if (plan.verdict === DROP) continue;
      const kept = plan.verdict === PASS ? value : maskedValue(key, value, this.policy);
      if (kept !== undefined) target.add(key, capEntry(key, kept, maxLength), plan.priority, plan.messageIndex);
    }
  }

  private planOf(key: string): KeyPlan {
    let plan = this.plans.get(key);
    if (plan === undefined) {
      const description = describeKey(key);
      let verdict: KeyVerdict = PASS;
      if (!keeps(this.policy, description)) verdict = DROP;
      else if (maskVerdict(description.attributeClass ?? UNCLASSIFIED, this.policy.traceConfig) !== 'keep') verdict = CHECK;
      plan = { verdict, priority: priorityOf(key), messageIndex: inputMessageIndex(key) };
      if (this.plans.size >= PLAN_CACHE_LIMIT) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
  }
}

/** One entry under the policy: its value to write, or `undefined` to leave it out. */
function policyValue(key: string, value: AttributeValue, policy: AttributePolicy): AttributeValue | undefined {
  const masked = maskedValue(key, value, policy);
  return masked === undefined ? undefined : capValue(masked, policy.maxValueLength);
}

function maskedValue(key: string, value: AttributeValue, policy: AttributePolicy): AttributeValue | undefined {
  const description = describeKey(key);
  if (!keeps(policy, description)) return undefined;
  return maskAttribute(value, description, policy.traceConfig);
}

/** The `semconv` family filter and the `gen_ai` content opt-in. */
function keeps(policy: AttributePolicy, { family, attributeClass }: KeyDescription): boolean {
  if (!KEPT_FAMILIES[policy.semconv].has(family)) return false;
  // Unclassified gen_ai.* keys count as content: dropped unless opted in.
  return policy.genAiContent || family !== 'gen_ai' || attributeClass?.kind === 'metadata';
}

/**
 * `capValue`, except that a conversation in JSON (`gen_ai.input.messages`) too long for the cap
 * loses its oldest messages whole, so that it stays JSON a backend can show, with the latest turns.
 */
function capEntry(key: string, value: AttributeValue, maxLength: number): AttributeValue {
  if (key === GEN_AI_INPUT_MESSAGES && typeof value === 'string' && value.length > maxLength) return newestMessagesWithin(value, maxLength) ?? capValue(value, maxLength);
  return capValue(value, maxLength);
}

/** The JSON array `text` without as many of its first items as it takes to fit `maxLength`; undefined if not an array or no item fits. */
function newestMessagesWithin(text: string, maxLength: number): string | undefined {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(items)) return undefined;
  const lengths = items.map(item => JSON.stringify(item).length);
  // `[` + items joined by `,` + `]`, counted from the newest item back.
  let length = 2;
  let first = items.length;
  while (first > 0 && length + lengths[first - 1] + (first < items.length ? 1 : 0) <= maxLength) {
    length += lengths[first - 1] + (first < items.length ? 1 : 0);
    first--;
  }
  return first === items.length ? undefined : JSON.stringify(items.slice(first));
}

/** A value with every string in it cut to `maxLength` (the cut marked): no value the package writes is longer. */
export function capValue(value: AttributeValue, maxLength: number): AttributeValue {
  if (typeof value === 'string') return value.length > maxLength ? truncate(value, maxLength) : value;
  if (Array.isArray(value) && value.some(item => typeof item === 'string' && item.length > maxLength)) {
    return (value as Array<string | null | undefined>).map(item => (typeof item === 'string' && item.length > maxLength ? truncate(item, maxLength) : item)) as AttributeValue;
  }
  return value;
}

/** `text` cut to `maxLength` characters, the cut marked, never splitting a surrogate pair. */
export function truncate(value: string, maxLength: number): string {
  const mark = maxLength > TRUNCATION_MARK.length ? TRUNCATION_MARK : '';
  let end = maxLength - mark.length;
  // Never cut a surrogate pair in half.
  if (/[\uD800-\uDBFF]/.test(value.charAt(end - 1))) end--;
  return value.slice(0, end) + mark;
}
