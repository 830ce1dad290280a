import type { Attributes, AttributeValue, SpanStatus } from '@opentelemetry/api';
import { parseJson } from '../interpret/body';
import { UNCLASSIFIED, type AttributeClass, type ContentClass, type KeyDescription } from './attribute-classes';
import {
  isLongDataUrl,
  redactGenAiMessages,
  redactGenAiParts,
  redactParameters,
  redactRequestBody,
  redactResponseBody,
  redactToolDefinitions,
  type PartRedaction,
  type ResponseRedaction,
} from './json-redaction';
import type { EchoScope } from './request-texts';
import { redactInputEchoes } from './status-redaction';
import { REDACTED_VALUE, type ResolvedTraceConfig } from './trace-config';

/**
 * One attribute's value after the privacy switches. Pure. The key is classified
 * (src/privacy/attribute-classes.ts, `describeKey`); metadata passes, content is replaced by
 * `__REDACTED__` or, for JSON values, redacted inside. Unclassified keys are hidden by any
 * text switch.
 */
export function maskAttribute(value: AttributeValue, description: KeyDescription, config: ResolvedTraceConfig): AttributeValue {
  const attributeClass = description.attributeClass ?? UNCLASSIFIED;
  if (attributeClass.kind === 'metadata') return value;
  const verdict = maskVerdict(attributeClass, config);
  return verdict === 'keep' ? value : verdict === 'redact' ? REDACTED_VALUE : inspectContent(value, attributeClass, config);
}

/** What masking does to every value of a class under a config: `inspect` when it depends on the value. */
export type MaskVerdict = 'keep' | 'redact' | 'inspect';

/** The value-independent part of masking, so callers can decide once per key (src/privacy/attribute-policy.ts). */
export function maskVerdict(attributeClass: AttributeClass, config: ResolvedTraceConfig): MaskVerdict {
  if (attributeClass.kind === 'metadata') return 'keep';
  const hidden = attributeClass.hiddenBy.some(name => config[name]);
  switch (attributeClass.shape) {
    case 'text':
    case 'vector':
      return hidden ? 'redact' : 'keep';
    case 'image':
    case 'request-json':
      // A long data URL is hidden whatever the switches.
      return hidden ? 'redact' : 'inspect';
    case 'response-json':
      // Long data URLs (a rerank document's image) are hidden whatever the switches.
      return hidden ? 'redact' : 'inspect';
    case 'input-messages-json':
    case 'instructions-json':
      return 'inspect';
    case 'output-messages-json': {
      const redaction = outputPartRedaction(config);
      return redaction.all || redaction.text ? 'inspect' : 'keep';
    }
    case 'tools-json':
    case 'parameters-json':
      return hidden ? 'inspect' : 'keep';
  }
}

/**
 * Calls `map` for each entry and collects what it returns (`undefined` leaves the key out),
 * copying on the first change: an untouched object is returned itself. Entries whose value
 * is `undefined` are left out.
 */
export function mapAttributes(attributes: Attributes, map: (key: string, value: AttributeValue) => AttributeValue | undefined): Attributes {
  let mapped: Attributes | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    const result = value === undefined ? undefined : map(key, value);
    if (mapped === undefined) {
      if (result !== undefined && result === value) continue;
      mapped = copyBefore(attributes, key);
    }
    if (result !== undefined) mapped[key] = result;
  }
  return mapped ?? attributes;
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

/**
 * The span status with what its description repeats of the request hidden, when input
 * switches are on (src/privacy/status-redaction.ts): vLLM's 400s quote the prompt, documents or
 * image URLs. `request` is the request body as sent (up to the capture cap); without it
 * every quoted span of the description is hidden too. Never throws: a description that
 * cannot be checked is hidden whole.
 */
export function maskStatus(status: SpanStatus, config: ResolvedTraceConfig, request?: string | Uint8Array): SpanStatus {
  const message = status.message;
  const scope = echoScope(config);
  if (scope === undefined || message === undefined || message === '') return status;
  let masked: string;
  try {
    masked = redactInputEchoes(message, typeof request === 'string' || request === undefined ? request : utf8(request), scope);
  } catch {
    masked = REDACTED_VALUE;
  }
  return masked === message ? status : { ...status, message: masked };
}

/** What an error description must not repeat under `config`: any input, images only, or nothing. */
function echoScope(config: ResolvedTraceConfig): EchoScope | undefined {
  if (inputEchoesHidden(config)) return 'all';
  return config.hideInputImages ? 'images' : undefined;
}

/** The switches that hide `input.value` whole also hide whatever a response or an error repeats of it. */
function inputEchoesHidden(config: ResolvedTraceConfig): boolean {
  return config.hideInputs || config.hideInputMessages || config.hideInputText;
}

function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** The value-dependent part of masking: only reached when `maskVerdict` says `inspect`. */
function inspectContent(value: AttributeValue, attributeClass: ContentClass, config: ResolvedTraceConfig): AttributeValue {
  switch (attributeClass.shape) {
    case 'image':
      return isLongDataUrl(value, config.base64ImageMaxLength) ? REDACTED_VALUE : value;
    case 'request-json':
      // Parse only when something inside can be hidden: most bodies pass untouched.
      if (!(config.hideInputImages && mentions(value, 'image_url')) && !mayHoldLongDataUrl(value, config.base64ImageMaxLength)) return value;
      return rewriteJson(value, body => redactRequestBody(body, config.hideInputImages, config.base64ImageMaxLength));
    case 'response-json': {
      const redaction = responseRedaction(config);
      const imagesInside = redaction.images && mentions(value, 'image');
      if (!redaction.vectors && !redaction.inputEchoes && !imagesInside && !mayHoldLongDataUrl(value, redaction.base64MaxLength)) return value;
      return rewriteJson(value, body => redactResponseBody(body, redaction));
    }
    case 'input-messages-json':
    case 'instructions-json': {
      const redaction = inputPartRedaction(config);
      const imagesInside = redaction.images && mentions(value, '"image"');
      if (!redaction.all && !redaction.text && !imagesInside && !mayHoldLongBase64(value, redaction.base64MaxLength)) return value;
      const redact = attributeClass.shape === 'input-messages-json' ? redactGenAiMessages : redactGenAiParts;
      return rewriteJson(value, parsed => redact(parsed, redaction));
    }
    case 'output-messages-json':
      return rewriteJson(value, parsed => redactGenAiMessages(parsed, outputPartRedaction(config)));
    case 'tools-json':
      return rewriteJson(value, redactToolDefinitions);
    case 'parameters-json':
      return rewriteJson(value, redactParameters);
    case 'text':
    case 'vector':
      return value;
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

function responseRedaction(config: ResolvedTraceConfig): ResponseRedaction {
  return {
    vectors: config.hideEmbeddingVectors,
    inputEchoes: inputEchoesHidden(config),
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
