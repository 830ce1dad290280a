import type { Attributes } from '@opentelemetry/api';
import type { SchemaValidator } from '../validation';

/** What a request mapper found in a valid request body. */
export interface RequestMapping {
  attributes: Attributes;
  /** The requested model, for the span name. */
  model: string | undefined;
}

/** What a stream mapper returns once every event was seen. */
export interface StreamMapping {
  /** Empty when no valid event arrived. */
  attributes: Attributes;
  /** Events that were neither valid chunks nor errors. */
  invalidEvents: number;
}

/** Folds the JSON events of one stream; one per span. */
export interface StreamMapper {
  /** One parsed `data:` event that is not `[DONE]` and not an error. */
  add(value: unknown, eventName: string | undefined): void;
  /** The attributes for everything that arrived. */
  finish(): StreamMapping;
}

/**
 * How one vLLM endpoint's bodies become attributes. Pure: no span, no I/O. Each
 * `map*` validates its input against the endpoint's schema and returns undefined for a
 * body that fails it, so the caller can say so once and carry on with what did validate.
 */
export interface EndpointHandler {
  /** `fi.span.kind` value. */
  spanKind: string;
  /** `gen_ai.operation.name` value; also the first word of the span name. */
  operation: string;
  mapRequest(body: unknown, validator: SchemaValidator): RequestMapping | undefined;
  mapResponse(body: unknown, validator: SchemaValidator): Attributes | undefined;
  createStreamMapper(validator: SchemaValidator): StreamMapper;
}
