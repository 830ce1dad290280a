import type { MeterProvider } from '@opentelemetry/api';
import { resolveAttributePolicy, type AttributePolicy } from './privacy/attribute-policy';
import { resolveMeterProvider } from './rewrite/metrics';
import { UrlPattern } from './routing';
import type { VLLMSpanProcessorOptions } from './types';

/** Default cap on each captured body: larger than any realistic chat exchange. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Options after validation, in the form the processor uses. */
export interface ResolvedOptions extends AttributePolicy {
  pattern: UrlPattern;
  /** Where GenAI client metrics go; undefined when they are off. */
  meterProvider: (() => MeterProvider) | undefined;
  maxBodyBytes: number;
  maxEmbeddingVectorLength: number;
}

/** Validates the user's options; a bad one throws here, at construction, never later. */
export function resolveOptions(options: VLLMSpanProcessorOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError('VLLMSpanProcessor options must be an object');
  }
  const maxBodyBytes = options?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (typeof maxBodyBytes !== 'number' || !Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new RangeError(`maxBodyBytes must be a positive integer, got ${describeValue(maxBodyBytes)}`);
  }
  const maxEmbeddingVectorLength = options?.maxEmbeddingVectorLength ?? 0;
  if (typeof maxEmbeddingVectorLength !== 'number' || !Number.isInteger(maxEmbeddingVectorLength) || maxEmbeddingVectorLength < 0) {
    throw new RangeError(`maxEmbeddingVectorLength must be a non-negative integer, got ${describeValue(maxEmbeddingVectorLength)}`);
  }
  return {
    pattern: new UrlPattern(options?.baseUrlPattern),
    maxBodyBytes,
    maxEmbeddingVectorLength,
    // The environment is read here, once per processor, whether or not a traceConfig was given.
    ...resolveAttributePolicy(options),
    meterProvider: resolveMeterProvider(options),
  };
}

/** A bad option value as the error message shows it: strings quoted, so that "1024" is not mistaken for 1024. */
function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
