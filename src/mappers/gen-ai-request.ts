import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import { JSON_OUTPUT_KINDS, structuredOutputKind } from './vllm-request';

/** The request fields the GenAI conventions describe beside the sampling parameters. */
export interface GenAiRequestFacts {
  stream?: boolean | null;
  /** `{type: "json_object" | "json_schema" | "text", ...}`; anything else is ignored. */
  response_format?: unknown;
}

// `response_format.type` → `gen_ai.output.type` (the conventions' values: text, json, image, speech).
const OUTPUT_TYPES: Readonly<Record<string, string>> = { text: 'text', json_object: 'json', json_schema: 'json', structural_tag: 'json' };

/**
 * `gen_ai.request.stream` (set if and only if the request streams) and `gen_ai.output.type`
 * (set when the request names an output format, or asks vLLM's structured outputs for JSON
 * through `structured_outputs` / `guided_json`), as the inference span asks.
 */
export function addGenAiRequestAttributes(attributes: Attributes, request: GenAiRequestFacts): void {
  if (request.stream === true) attributes[A.GEN_AI_REQUEST_STREAM] = true;
  const format = (request.response_format as { type?: unknown } | null | undefined)?.type;
  if (typeof format === 'string' && OUTPUT_TYPES[format] !== undefined) attributes[A.GEN_AI_OUTPUT_TYPE] = OUTPUT_TYPES[format];
  else {
    const kind = structuredOutputKind(request as Record<string, unknown>);
    if (kind !== undefined && JSON_OUTPUT_KINDS.has(kind)) attributes[A.GEN_AI_OUTPUT_TYPE] = 'json';
  }
}
