import type { Attributes } from '@opentelemetry/api';
import type { ResolvedOptions } from '../options';
import type { SchemaValidator } from '../interpret/validation';
import type { SalvagedRequest } from './request-salvage';

/** The processor options that mappers read. */
export type MappingOptions = Pick<ResolvedOptions, 'maxEmbeddingVectorLength' | 'genAiContent'> & Partial<Pick<ResolvedOptions, 'semconv'>>;

/** What every handler may use: the compiled schemas and the processor's options. One per processor. */
export interface MappingContext {
  validator: SchemaValidator;
  options: MappingOptions;
}

/** What a request mapper found in a valid request body. */
export interface RequestMapping<Request = unknown> {
  attributes: Attributes;
  /** The requested model, for the span name. */
  model: string | undefined;
  /** The validated body, handed to the response side (rerank results point into its documents). */
  request: Request;
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
  /** Folds a `data:` event from its text alone when it can (no parse needed); false when it cannot. */
  addText(text: string, eventName: string | undefined): boolean;
  /** One parsed `data:` event that is not `[DONE]` and not an error; `text` is what it was parsed from. */
  add(value: unknown, eventName: string | undefined, text: string): void;
  /** The attributes for everything that arrived. */
  finish(): StreamMapping;
}

/**
 * How one vLLM endpoint's bodies become attributes. Pure: no span, no I/O. Each
 * `map*` validates its input against the endpoint's schema and returns undefined for a
 * body that fails it, so the caller can say so once and carry on with what did validate.
 * `request` is the request body that validated, or undefined when it did not. `sourceText` is
 * the body's JSON text as parsed, whose string literals a mapper may reuse instead of escaping
 * the same texts again (src/mappers/json-literals.ts).
 */
export interface EndpointHandler<Request = unknown> {
  /** What every span of the endpoint carries (`fi.span.kind`, provider, operation), built once. */
  readonly startAttributes: Readonly<Attributes>;
  /** `gen_ai.operation.name` value; also the first word of the span name. */
  operation: string;
  mapRequest(body: unknown, context: MappingContext, sourceText?: string): RequestMapping<Request> | undefined;
  /**
   * For a body that `mapRequest` refused: maps it field by field, leaving out what fails the schema
   * (at most `maxRepairs` tries), or at least its `model`. Undefined when not even that is readable.
   */
  salvageRequest(body: unknown, context: MappingContext, maxRepairs: number): SalvagedRequest<Request> | undefined;
  mapResponse(body: unknown, context: MappingContext, request: Request | undefined, sourceText?: string): Attributes | undefined;
  /** Made when the response head arrives, before the request body is read: the events alone are mapped. */
  createStreamMapper(context: MappingContext): StreamMapper;
}
