import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { SchemaId, SchemaValidator, WireTypeById } from '../interpret/validation';
import type { StreamMapper, StreamMapping } from './endpoint-handler';

/** Folds the validated events of one stream into the body a non-stream call would have returned. */
export interface StreamAggregator<Event, Result> {
  add(event: Event, eventName: string | undefined): void;
  /** Optional fast path: folds an unnamed event from its text alone (see EventTemplate); false when it cannot. */
  addText?(text: string): boolean;
  /** With `addText`: sees each validated unnamed event with its text, to learn from. */
  learn?(event: Event, text: string): void;
  /** The folded body, or undefined when nothing usable arrived. */
  result(): Result | undefined;
}

/** Ids of the schemas whose wire type is a `Result`. */
type SchemaIdOf<Result> = { [K in SchemaId]: WireTypeById[K] extends Result ? K : never }[SchemaId];

/** How a streaming endpoint's events become attributes. */
export interface AggregationSpec<EventId extends SchemaId, Result> {
  eventSchema: EventId;
  /**
   * A cheap check that accepts only events `eventSchema` accepts too, for the common event;
   * events it passes skip the schema, whose check costs a sizeable share of the per-event work.
   */
  isCommonEvent?: (value: unknown) => value is WireTypeById[EventId];
  /** A server that cannot stream the request may send one event holding a whole response. */
  wholeResponseSchema?: SchemaIdOf<Result>;
  aggregator: StreamAggregator<WireTypeById[EventId], Result>;
  /** The same mapper as for the non-stream response body; `sourceText` is the folded body's JSON (`output.value`). */
  mapResult(result: Result, sourceText: string): Attributes;
}

/**
 * The StreamMapper of every streaming endpoint: validates each event, folds the valid
 * ones, then maps the folded body like a non-stream one; `output.value` is its JSON.
 */
export class AggregatingStreamMapper<EventId extends SchemaId, Result> implements StreamMapper {
  private wholeResponse: Result | undefined;
  private invalidEvents = 0;

  constructor(private readonly validator: SchemaValidator, private readonly spec: AggregationSpec<EventId, Result>) {}

  addText(text: string, eventName: string | undefined): boolean {
    return eventName === undefined && this.spec.aggregator.addText?.(text) === true;
  }

  add(value: unknown, eventName: string | undefined, text: string): void {
    const { eventSchema, isCommonEvent, wholeResponseSchema, aggregator } = this.spec;
    if (isCommonEvent?.(value) || this.validator.is(eventSchema, value)) {
      aggregator.add(value, eventName);
      if (eventName === undefined) aggregator.learn?.(value, text);
    }
    // SchemaIdOf<Result> guarantees the type; TypeScript cannot follow it through the mapped type.
    else if (wholeResponseSchema !== undefined && this.validator.is(wholeResponseSchema, value)) this.wholeResponse = value as unknown as Result;
    else this.invalidEvents++;
  }

  finish(): StreamMapping {
    const result = this.wholeResponse ?? this.spec.aggregator.result();
    if (result === undefined) return { attributes: {}, invalidEvents: this.invalidEvents };
    const outputValue = JSON.stringify(result);
    const attributes = this.spec.mapResult(result, outputValue);
    attributes[A.OUTPUT_VALUE] = outputValue;
    attributes[A.OUTPUT_MIME_TYPE] = 'application/json';
    return { attributes, invalidEvents: this.invalidEvents };
  }
}
