import { diag } from '@opentelemetry/api';
import type { TraceConfigOptions } from '../types';

const logger = diag.createComponentLogger({ namespace: '@traceai/vllm' });

/** What replaces a hidden value. */
export const REDACTED_VALUE = '__REDACTED__';

/** Base64 `data:` URLs longer than this (in characters) are replaced, as in OpenInference. */
export const DEFAULT_BASE64_IMAGE_MAX_LENGTH = 32_000;

/** The on/off switches of a trace config. */
export type HideSwitch = Exclude<keyof TraceConfigOptions, 'base64ImageMaxLength'>;

/** Every switch, with the environment variable that sets it when the option is absent. */
export const HIDE_SWITCH_ENV: Readonly<Record<HideSwitch, string>> = {
  hideInputs: 'FI_HIDE_INPUTS',
  hideOutputs: 'FI_HIDE_OUTPUTS',
  hideInputMessages: 'FI_HIDE_INPUT_MESSAGES',
  hideOutputMessages: 'FI_HIDE_OUTPUT_MESSAGES',
  hideInputText: 'FI_HIDE_INPUT_TEXT',
  hideOutputText: 'FI_HIDE_OUTPUT_TEXT',
  hideInputImages: 'FI_HIDE_INPUT_IMAGES',
  hideEmbeddingVectors: 'FI_HIDE_EMBEDDING_VECTORS',
};

/** Environment variable of `base64ImageMaxLength`. */
export const BASE64_IMAGE_MAX_LENGTH_ENV = 'FI_BASE64_IMAGE_MAX_LENGTH';

/**
 * The OpenTelemetry GenAI instrumentations' content switch. `false` (or `NO_CONTENT`, or
 * `EVENT_ONLY`: this package writes no events) hides inputs and outputs; `true` (or
 * `SPAN_ONLY` / `SPAN_AND_EVENT`) also turns on the opt-in `gen_ai.*` content attributes.
 */
export const GENAI_CAPTURE_CONTENT_ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/** A trace config after option > environment > default resolution. */
export type ResolvedTraceConfig = Readonly<Record<HideSwitch, boolean> & { base64ImageMaxLength: number }>;

/** The environment as read at construction; a parameter so that tests need not touch `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the privacy switches: an option that is set wins, else its `FI_*` variable, else
 * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false` for `hideInputs`/`hideOutputs`,
 * else off. Read once, when the processor is constructed, with or without a `traceConfig`
 * object. A wrong option type throws; an unreadable variable is ignored with a warning.
 */
export function resolveTraceConfig(options: TraceConfigOptions | undefined, env: Environment = process.env): ResolvedTraceConfig {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError('traceConfig must be an object');
  }
  const contentOff = readGenAiCaptureContent(env) === false;
  const switches = {} as Record<HideSwitch, boolean>;
  for (const [name, variable] of Object.entries(HIDE_SWITCH_ENV) as Array<[HideSwitch, string]>) {
    const option = options?.[name];
    if (option !== undefined && typeof option !== 'boolean') {
      throw new TypeError(`traceConfig.${name} must be a boolean, got ${typeof option}`);
    }
    const fromEnv = readBoolean(env, variable);
    // Either variable can switch content off: an operator's one switch is never undone by the other.
    const envHides = fromEnv === true || (contentOff && (name === 'hideInputs' || name === 'hideOutputs'));
    switches[name] = option ?? envHides;
  }
  return { ...switches, base64ImageMaxLength: resolveBase64ImageMaxLength(options?.base64ImageMaxLength, env) };
}

/**
 * Whether `gen_ai.input.messages|output.messages|system_instructions|tool.definitions` are recorded:
 * the option if set, else on unless `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false` (as
 * traceAI does since 2026: Datadog, New Relic and SigNoz show a span's messages only from these keys).
 */
export function resolveGenAiContent(option: boolean | undefined, env: Environment = process.env): boolean {
  if (option !== undefined && typeof option !== 'boolean') throw new TypeError(`genAiContent must be a boolean, got ${typeof option}`);
  return option ?? readGenAiCaptureContent(env) !== false;
}

function resolveBase64ImageMaxLength(option: number | undefined, env: Environment): number {
  if (option !== undefined) {
    if (typeof option !== 'number' || !Number.isInteger(option) || option < 0) {
      throw new TypeError(`traceConfig.base64ImageMaxLength must be a non-negative integer, got ${String(option)}`);
    }
    return option;
  }
  const raw = env[BASE64_IMAGE_MAX_LENGTH_ENV]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_BASE64_IMAGE_MAX_LENGTH;
  if (/^\d+$/.test(raw)) return Number(raw);
  warn(`${BASE64_IMAGE_MAX_LENGTH_ENV}=${JSON.stringify(raw)} is not a non-negative integer; using ${DEFAULT_BASE64_IMAGE_MAX_LENGTH}`);
  return DEFAULT_BASE64_IMAGE_MAX_LENGTH;
}

/** `true`/`false` case-insensitive; unset or empty is undefined; anything else warns and counts as unset. */
function readBoolean(env: Environment, variable: string): boolean | undefined {
  const raw = env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  warn(`${variable}=${JSON.stringify(env[variable])} is neither true nor false; ignored`);
  return undefined;
}

function readGenAiCaptureContent(env: Environment): boolean | undefined {
  const raw = env[GENAI_CAPTURE_CONTENT_ENV]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === 'span_only' || raw === 'span_and_event') return true;
  if (raw === 'false' || raw === 'no_content' || raw === 'event_only') return false;
  warn(`${GENAI_CAPTURE_CONTENT_ENV}=${JSON.stringify(env[GENAI_CAPTURE_CONTENT_ENV])} is not recognised; ignored`);
  return undefined;
}

function warn(message: string): void {
  logger.warn(message);
}
