import type { Attributes } from '@opentelemetry/api';
import type { SchemaId, WireTypeById } from '../validation';
import type { EndpointHandler, MappingContext, MappingOptions, StreamMapper } from './endpoint-handler';

/** The parts that make one endpoint's handler: its schemas and the pure mappers of valid bodies. */
export interface HandlerSpec<RequestId extends SchemaId, ResponseId extends SchemaId> {
  spanKind: string;
  operation: string;
  requestSchema: RequestId;
  responseSchema: ResponseId;
  getRequestAttributes(request: WireTypeById[RequestId], options: MappingOptions): Attributes;
  getResponseAttributes(response: WireTypeById[ResponseId], request: WireTypeById[RequestId] | undefined, options: MappingOptions): Attributes;
  /** Streaming endpoints only; elsewhere every event of an (unexpected) event stream counts as invalid. */
  createStreamMapper?(context: MappingContext, request: WireTypeById[RequestId] | undefined): StreamMapper;
}

/** Builds an EndpointHandler that validates each body against its schema before mapping it. */
export function defineHandler<RequestId extends SchemaId, ResponseId extends SchemaId>(
  spec: HandlerSpec<RequestId, ResponseId>,
): EndpointHandler<WireTypeById[RequestId]> {
  return {
    spanKind: spec.spanKind,
    operation: spec.operation,
    mapRequest(body, { validator, options }) {
      if (!validator.is(spec.requestSchema, body)) return undefined;
      const model = (body as { model?: unknown }).model;
      return { attributes: spec.getRequestAttributes(body, options), model: typeof model === 'string' ? model : undefined, request: body };
    },
    mapResponse(body, { validator, options }, request) {
      return validator.is(spec.responseSchema, body) ? spec.getResponseAttributes(body, request, options) : undefined;
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
