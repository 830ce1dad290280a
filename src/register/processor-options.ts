import type { VLLMSpanProcessorOptions } from '../types';

/** Which servers are vLLM: a substring of the request URL, or `/source/flags` for a RegExp. */
export const BASE_URL_PATTERN_ENV = 'TRACEAI_VLLM_BASE_URL_PATTERN';

// `/…/` with optional flags: the one form that is read as a RegExp.
const REGEXP_LITERAL = /^\/(.+)\/([a-z]*)$/;

/**
 * The processor's options from the environment. Only what has no variable of its own is read
 * here: the `FI_*` privacy switches and the GenAI content switch are read by the processor.
 */
export function processorOptionsFromEnv(env: NodeJS.ProcessEnv): VLLMSpanProcessorOptions {
  const options: VLLMSpanProcessorOptions = {};
  const pattern = env[BASE_URL_PATTERN_ENV];
  if (pattern) options.baseUrlPattern = parsePattern(pattern);
  // With a metrics exporter configured, NodeSDK registers a global MeterProvider before any call.
  const metricsExporters = env.OTEL_METRICS_EXPORTER?.trim();
  if (metricsExporters && metricsExporters !== 'none') options.metrics = true;
  return options;
}

function parsePattern(pattern: string): string | RegExp {
  const literal = REGEXP_LITERAL.exec(pattern);
  if (literal === null) return pattern;
  try {
    return new RegExp(literal[1], literal[2]);
  } catch (error) {
    throw new Error(`@traceai/vllm/register: ${BASE_URL_PATTERN_ENV} is not a valid RegExp: ${(error as Error).message}`);
  }
}
