import { trace, type Attributes, type Context } from '@opentelemetry/api';
import type { UrlPattern } from '../routing';
import { ATTR_URL_FULL } from '../capture/semconv-http';
import type { ProcessorSpan } from '../types';

/** Scopes whose spans are never "another" LLM span: this package's own, and the HTTP clients'. */
const OWN_SCOPES = new Set(['@opentelemetry/instrumentation-undici', '@opentelemetry/instrumentation-http', '@traceai/vllm']);

/** GenAI operations that wrap calls rather than being one (an agent run is a parent, not a duplicate). */
const WRAPPING_OPERATIONS = new Set(['invoke_agent', 'create_agent', 'execute_tool', 'invoke_workflow']);

/** Span kinds (traceAI's `fi.span.kind`, OpenInference's) of a span that is itself one model call. */
const CALL_SPAN_KINDS = new Set(['LLM', 'EMBEDDING', 'RERANKER']);

/**
 * Finds the setup that gives two LLM spans per call: an LLM-client instrumentation (such as
 * `@opentelemetry/instrumentation-openai`, part of `getNodeAutoInstrumentations()`) already made
 * an LLM span, and the HTTP span this package rewrites is its child. Seen in `onStart`, where the
 * parent context is at hand. Stops looking after the first find: the warning is said once.
 */
export class DuplicateLlmSpanDetector {
  private found = false;

  constructor(private readonly pattern: UrlPattern) {}

  /**
   * The scope name of the other instrumentation when `span`, an HTTP span waiting for its request to
   * an inference path (the captures decided that), is a call to vLLM inside its LLM span; the first time only.
   */
  check(span: ProcessorSpan, parentContext: Context | undefined): string | undefined {
    if (this.found || parentContext === undefined) return undefined;
    const parent = trace.getSpan(parentContext) as Partial<ProcessorSpan> | undefined;
    // A parent from another process (NonRecordingSpan) has no scope or attributes to read.
    const parentScope = parent === undefined ? undefined : scopeName(parent);
    if (parentScope === undefined || OWN_SCOPES.has(parentScope) || !isModelCallSpan(parent?.attributes)) return undefined;
    // The same path on OpenAI itself is no duplicate of a vLLM span: only servers the user calls vLLM count.
    const url = span.attributes[ATTR_URL_FULL] ?? span.attributes['http.url'];
    if (typeof url !== 'string' || !this.pattern.matches(url)) return undefined;
    this.found = true;
    return parentScope;
  }
}

/** The warning, naming the instrumentation and the one-line fix. */
export function duplicateLlmSpanMessage(otherScope: string): string {
  return (
    `a vLLM call is already traced as an LLM span by ${otherScope}, so each call gives two LLM spans (and GenAI metrics count it twice). ` +
    `This package still rewrites its HTTP span (provider vllm, the span whose traceparent reaches vLLM); turn the other off, e.g. ` +
    `getNodeAutoInstrumentations({ '${otherScope}': { enabled: false } })`
  );
}

function isModelCallSpan(attributes: Attributes | undefined): boolean {
  if (attributes === undefined) return false;
  const operation = attributes['gen_ai.operation.name'];
  if (typeof operation === 'string') return !WRAPPING_OPERATIONS.has(operation);
  const kind = attributes['fi.span.kind'] ?? attributes['openinference.span.kind'];
  if (typeof kind === 'string') return CALL_SPAN_KINDS.has(kind);
  return attributes['gen_ai.system'] !== undefined || attributes['gen_ai.provider.name'] !== undefined;
}

function scopeName(span: Partial<ProcessorSpan>): string | undefined {
  return (span.instrumentationScope ?? span.instrumentationLibrary)?.name;
}

