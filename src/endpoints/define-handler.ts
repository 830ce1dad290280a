import type { Attributes } from '@opentelemetry/api';
import { getBaseAttributes } from '../mappers/common';
import type { SchemaId, SchemaValidator, WireTypeById } from '../interpret/validation';
import type { EndpointHandler, MappingContext, MappingOptions, RequestMapping, StreamMapper } from './endpoint-handler';
import { salvageRequest, type RequestRepair } from './request-salvage';

/** The parts that make one endpoint's handler: its schemas and the pure mappers of valid bodies. */
export interface HandlerSpec<RequestId extends SchemaId, ResponseId extends SchemaId> {
  spanKind: string;
  operation: string;
  requestSchema: RequestId;
  responseSchema: ResponseId;
  /** Optional fast checks that accept a subset of what the schemas accept (src/interpret/shape-checks.ts); what they accept skips Ajv. */
  isCommonRequest?(body: unknown): body is WireTypeById[RequestId];
  isCommonResponse?(body: unknown): body is WireTypeById[ResponseId];
  /** `sourceText`: the body's JSON text, when the body parsed (see EndpointHandler). */
  getRequestAttributes(request: WireTypeById[RequestId], options: MappingOptions, sourceText?: string): Attributes;
  getResponseAttributes(response: WireTypeById[ResponseId], request: WireTypeById[RequestId] | undefined, options: MappingOptions, sourceText?: string): Attributes;
  /** How a request that fails its schema is repaired to map what it can (src/endpoints/request-salvage.ts). */
  requestRepair: RequestRepair;
  /** Streaming endpoints only; elsewhere every event of an (unexpected) event stream counts as invalid. */
  createStreamMapper?(context: MappingContext): StreamMapper;
}

/** Builds an EndpointHandler that validates each body against its schema before mapping it. */
export function defineHandler<RequestId extends SchemaId, ResponseId extends SchemaId>(
  spec: HandlerSpec<RequestId, ResponseId>,
): EndpointHandler<WireTypeById[RequestId]> {
  const isRequest = (body: unknown, validator: SchemaValidator): body is WireTypeById[RequestId] =>
    spec.isCommonRequest?.(body) === true || validator.is(spec.requestSchema, body);
  const isResponse = (body: unknown, validator: SchemaValidator): body is WireTypeById[ResponseId] =>
    spec.isCommonResponse?.(body) === true || validator.is(spec.responseSchema, body);
  const mapRequest = (body: unknown, { validator, options }: MappingContext, sourceText?: string): RequestMapping<WireTypeById[RequestId]> | undefined => {
    if (!isRequest(body, validator)) return undefined;
    const model = (body as { model?: unknown }).model;
    return { attributes: spec.getRequestAttributes(body, options, sourceText), model: typeof model === 'string' ? model : undefined, request: body };
  };
  return {
    startAttributes: getBaseAttributes(spec.spanKind, spec.operation),
    operation: spec.operation,
    mapRequest(body, context, sourceText) {
      return mapRequest(body, context, sourceText);
    },
    salvageRequest(body, context, maxRepairs) {
      const map = (candidate: unknown) => mapRequest(candidate, context);
      const salvaged = salvageRequest(body, map, context.validator, spec.requestRepair, maxRepairs);
      if (salvaged !== undefined) return salvaged;
      // Beyond repair: the model alone, with what a request without content maps to.
      const model = (body as { model?: unknown } | null)?.model;
      if (typeof model !== 'string') return undefined;
      const modelOnly = salvageRequest({ model }, map, context.validator, spec.requestRepair, Object.keys(spec.requestRepair.fillers).length);
      return modelOnly === undefined ? undefined : { mapping: modelOnly.mapping, dropped: ['all but model'] };
    },
    mapResponse(body, { validator, options }, request, sourceText) {
      return isResponse(body, validator) ? spec.getResponseAttributes(body, request, options, sourceText) : undefined;
    },
    createStreamMapper: spec.createStreamMapper ?? (() => new UnexpectedStreamMapper()),
  };
}

/** For endpoints that never stream: nothing maps, every event is reported as invalid. */
class UnexpectedStreamMapper implements StreamMapper {
  private events = 0;

  addText(): boolean {
    return false;
  }

  add(): void {
    this.events++;
  }

  finish() {
    return { attributes: {}, invalidEvents: this.events };
  }
}
