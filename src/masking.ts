import type { Attributes, AttributeValue, SpanStatus } from '@opentelemetry/api';
import { parseJson } from './body';
import { describeKey, UNCLASSIFIED, type ContentClass, type KeyDescription } from './attribute-classes';
import {
  isLongDataUrl,
  redactGenAiMessages,
  redactGenAiParts,
  redactParameters,
  redactRequestBody,
  redactResponseBody,
  redactToolDefinitions,
  type PartRedaction,
} from './json-redaction';
import { REDACTED_VALUE, type ResolvedTraceConfig } from './trace-config';

/**
 * Applies the privacy switches to a set of attributes: the one function every attribute
 * this package writes passes through, at span start and in the rewrite. Pure. Each key is
 * classified (src/attribute-classes.ts); metadata passes, content is replaced by
 * `__REDACTED__` or, for JSON values, redacted inside. Unclassified keys are hidden by
 * any text switch. Returns `attributes` itself when nothing changes, a new object otherwise.
 */
export function maskAttributes(attributes: Attributes, config: ResolvedTraceConfig, keep?: (key: string, description: KeyDescription) => boolean): Attributes {
  // Copy on the first change: with no switch on, nearly every span passes whole and is not copied.
  let masked: Attributes | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    const description = describeKey(key);
    // The caller's filter (the semconv family) runs in the same pass.
    const kept = value !== undefined && (keep === undefined || keep(key, description));
    const attributeClass = description.attributeClass ?? UNCLASSIFIED;
    const result = !kept ? undefined : attributeClass.kind === 'metadata' ? value : maskContent(value, attributeClass, config);
    if (masked === undefined) {
      if (kept && result === value) continue;
      masked = copyBefore(attributes, key);
    }
    if (result !== undefined) masked[key] = result;
  }
  return masked ?? attributes;
}

/** The entries of `attributes` that come before `stop`, in order. */
function copyBefore(attributes: Attributes, stop: string): Attributes {
  const copy: Attributes = {};
  for (const key in attributes) {
    if (key === stop) break;
    copy[key] = attributes[key];
  }
  return copy;
}

// The signature of a request-validation error that repeats the request (pydantic's `'input': ...`).
const INPUT_ECHO = /'input':|"input":|input_value=/;

/**
 * The span status with its description hidden when input switches are on and the
 * description repeats the request, as vLLM's 400s for invalid bodies do.
 */
export function maskStatus(status: SpanStatus, config: ResolvedTraceConfig): SpanStatus {
  const inputsHidden = config.hideInputs || config.hideInputMessages || config.hideInputText;
  return inputsHidden && status.message !== undefined && INPUT_ECHO.test(status.message) ? { ...status, message: REDACTED_VALUE } : status;
}

function maskContent(value: AttributeValue, attributeClass: ContentClass, config: ResolvedTraceConfig): AttributeValue {
  const hidden = attributeClass.hiddenBy.some(name => config[name]);
  switch (attributeClass.shape) {
    case 'text':
    case 'vector':
      return hidden ? REDACTED_VALUE : value;
    case 'image':
      return hidden || isLongDataUrl(value, config.base64ImageMaxLength) ? REDACTED_VALUE : value;
    case 'request-json':
      if (hidden) return REDACTED_VALUE;
      // Parse only when something inside can be hidden: most bodies pass untouched.
      if (!(config.hideInputImages && mentions(value, 'image_url')) && !mayHoldLongDataUrl(value, config.base64ImageMaxLength)) return value;
      return rewriteJson(value, body => redactRequestBody(body, config.hideInputImages, config.base64ImageMaxLength));
    case 'response-json': {
      if (hidden) return REDACTED_VALUE;
      const inputEchoes = config.hideInputs || config.hideInputText;
      if (!config.hideEmbeddingVectors && !inputEchoes) return value;
      return rewriteJson(value, body => redactResponseBody(body, config.hideEmbeddingVectors, inputEchoes));
    }
    case 'input-messages-json':
    case 'instructions-json': {
      const redaction = inputPartRedaction(config);
      const imagesInside = redaction.images && mentions(value, '"image"');
      if (!redaction.all && !redaction.text && !imagesInside && !mayHoldLongBase64(value, redaction.base64MaxLength)) return value;
      const redact = attributeClass.shape === 'input-messages-json' ? redactGenAiMessages : redactGenAiParts;
      return rewriteJson(value, parsed => redact(parsed, redaction));
    }
    case 'output-messages-json': {
      const redaction = outputPartRedaction(config);
      if (!redaction.all && !redaction.text) return value;
      return rewriteJson(value, parsed => redactGenAiMessages(parsed, redaction));
    }
    case 'tools-json':
      return hidden ? rewriteJson(value, redactToolDefinitions) : value;
    case 'parameters-json':
      return hidden ? rewriteJson(value, redactParameters) : value;
  }
}

function inputPartRedaction(config: ResolvedTraceConfig): PartRedaction {
  return {
    all: config.hideInputs || config.hideInputMessages,
    text: config.hideInputText,
    images: config.hideInputImages,
    base64MaxLength: config.base64ImageMaxLength,
  };
}

function outputPartRedaction(config: ResolvedTraceConfig): PartRedaction {
  return { all: config.hideOutputs || config.hideOutputMessages, text: config.hideOutputText, images: false, base64MaxLength: Infinity };
}

function mayHoldLongDataUrl(value: AttributeValue, maxLength: number): boolean {
  return typeof value === 'string' && value.length > maxLength && value.includes(';base64,');
}

/** A cheap look before a parse: false when the serialised value cannot hold `text`. */
function mentions(value: AttributeValue, text: string): boolean {
  return typeof value !== 'string' || value.includes(text);
}

function mayHoldLongBase64(value: AttributeValue, maxLength: number): boolean {
  return typeof value === 'string' && value.length > maxLength;
}

/** Parses, redacts and serialises a JSON attribute; a value that is not JSON is hidden whole. */
function rewriteJson(value: AttributeValue, redact: (parsed: unknown) => unknown): AttributeValue {
  const parsed = typeof value === 'string' ? parseJson(value) : undefined;
  return parsed === undefined ? REDACTED_VALUE : JSON.stringify(redact(parsed));
}
