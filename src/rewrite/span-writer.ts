import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { Priority, PRIORITY_COUNT, type PriorityValue } from './attribute-priority';
import * as A from '../attributes';
import type { ProcessorSpan } from '../types';

/** The SDK's default `attributeCountLimit`, for a span whose limits cannot be read. */
export const DEFAULT_ATTRIBUTE_COUNT_LIMIT = 128;

/** The slot kept free for `vllm.input_messages.omitted` while what ranks below the answer is written. */
const MARK_SLOTS = 1;

/** The limits a span enforces on what is written into it. */
export interface SpanLimitsView {
  /** Most attributes the span keeps; later new keys are dropped. */
  attributeCountLimit: number;
  /** Longest string value the span keeps (the SDK cuts longer ones); Infinity when unbounded. */
  attributeValueLengthLimit: number;
}

/** The shape of the SDK's span internals read here (sdk-trace-base 1.x/2.x, sdk-trace 3.x). */
interface SdkSpanInternals {
  _spanLimits?: { attributeCountLimit?: number; attributeValueLengthLimit?: number };
  _attributesCount?: number;
}

/** A span's limits, from the SDK where it exposes them, else the SDK's defaults. */
export function spanLimitsOf(span: ProcessorSpan): SpanLimitsView {
  const limits = (span as unknown as SdkSpanInternals)._spanLimits;
  return {
    attributeCountLimit: positiveOr(limits?.attributeCountLimit, DEFAULT_ATTRIBUTE_COUNT_LIMIT),
    attributeValueLengthLimit: positiveOr(limits?.attributeValueLengthLimit, Infinity),
  };
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

function attributeCountOf(span: ProcessorSpan): number {
  const count = (span as unknown as SdkSpanInternals)._attributesCount;
  return typeof count === 'number' ? count : Object.keys(span.attributes).length;
}

/** Where the attribute policy hands each kept entry, with its priority (src/rewrite/attribute-priority.ts). */
export interface AttributeSink {
  add(key: string, value: AttributeValue, priority: PriorityValue, messageIndex: number): void;
}

/**
 * Whether a span has room for every key of `sets` on top of its own, so that no order needs
 * keeping (the common case): keys are counted as given, before the policy drops any.
 */
export function hasRoomForAll(span: ProcessorSpan, sets: ReadonlyArray<Readonly<Attributes>>, attributeCountLimit: number): boolean {
  let count = attributeCountOf(span);
  for (const set of sets) for (const _key in set) count++;
  return count <= attributeCountLimit;
}

/** Writes each entry into the span as it comes: for a span with room for all of them. */
export class DirectAttributes implements AttributeSink {
  constructor(private readonly span: ProcessorSpan) {}

  add(key: string, value: AttributeValue): void {
    this.span.setAttribute(key, value);
  }
}

/**
 * A rewrite's attributes sorted into their priorities (src/rewrite/attribute-priority.ts), then written
 * into a span within its attribute count limit: whole priorities in order, input messages
 * newest first and each whole, and a mark of how many input messages were left out (whose
 * slot is kept free below the answer).
 */
export class PrioritizedAttributes implements AttributeSink {
  /** Per priority, `[key, value, key, value, ...]`; made when the first entry of a priority comes (most spans use a few). */
  private readonly buckets: Array<Array<string | AttributeValue> | undefined> = new Array(PRIORITY_COUNT);
  /** Input messages by index, each `[key, value, ...]`. */
  private readonly messages = new Map<number, Array<string | AttributeValue>>();

  /** Adds an entry; a key added again overrides the earlier value when written. */
  add(key: string, value: AttributeValue, priority: PriorityValue, messageIndex: number): void {
    if (priority === Priority.INPUT_MESSAGES && messageIndex >= 0) {
      let message = this.messages.get(messageIndex);
      if (message === undefined) this.messages.set(messageIndex, (message = []));
      message.push(key, value);
    } else {
      (this.buckets[priority] ??= []).push(key, value);
    }
  }

  /** Writes everything that fits into `span`, most useful first (for a span without room for all; see `hasRoomForAll`). */
  writeTo(span: ProcessorSpan, attributeCountLimit: number): void {
    const slots = new SlotCounter(span, attributeCountLimit);
    // Below the answer, a slot stays free for the mark of left-out input messages: a reader must learn the input was cut.
    const spare = this.messages.size > 0 ? MARK_SLOTS : 0;
    for (let priority = 0; priority < Priority.REPEATED; priority++) slots.writeAll(this.buckets[priority]);
    for (let priority = Priority.REPEATED; priority < Priority.INPUT_MESSAGES; priority++) slots.writeEach(this.buckets[priority], spare);
    this.writeMessagesNewestFirst(slots);
    for (let priority = Priority.INPUT_MESSAGES; priority < PRIORITY_COUNT; priority++) slots.writeAll(this.buckets[priority]);
  }

  private writeMessagesNewestFirst(slots: SlotCounter): void {
    if (this.messages.size === 0) return;
    const indexes = [...this.messages.keys()].sort((a, b) => b - a);
    let recorded = 0;
    for (const index of indexes) {
      const message = this.messages.get(index)!;
      // A message goes in whole or not at all, and none older than one that did not fit: a reader sees the latest turns.
      if (!slots.fits(message, MARK_SLOTS)) break;
      slots.writeAll(message);
      recorded++;
    }
    if (recorded < indexes.length) slots.write(A.VLLM_INPUT_MESSAGES_OMITTED, indexes.length - recorded);
  }
}

/** Writes into a span while counting the slots its new keys take. */
class SlotCounter {
  private used: number;

  constructor(private readonly span: ProcessorSpan, private readonly limit: number) {
    this.used = attributeCountOf(span);
  }

  /** Whether every new key of `entries` fits with `spare` slots still free. */
  fits(entries: ReadonlyArray<string | AttributeValue>, spare: number): boolean {
    let added = 0;
    for (let i = 0; i < entries.length; i += 2) if (this.isNew(entries[i] as string)) added++;
    return this.used + added + spare <= this.limit;
  }

  /** Writes each entry whose key fits with `spare` slots still free. */
  writeEach(entries: ReadonlyArray<string | AttributeValue> | undefined, spare: number): void {
    if (entries === undefined) return;
    for (let i = 0; i < entries.length; i += 2) {
      const key = entries[i] as string;
      if (this.used + spare < this.limit || !this.isNew(key)) this.write(key, entries[i + 1] as AttributeValue);
    }
  }

  /** Writes every entry; the SDK drops (and counts) the new keys past its limit. */
  writeAll(entries: ReadonlyArray<string | AttributeValue> | undefined): void {
    if (entries === undefined) return;
    for (let i = 0; i < entries.length; i += 2) this.write(entries[i] as string, entries[i + 1] as AttributeValue);
  }

  write(key: string, value: AttributeValue): void {
    if (this.isNew(key)) this.used++;
    this.span.setAttribute(key, value);
  }

  private isNew(key: string): boolean {
    return !Object.prototype.hasOwnProperty.call(this.span.attributes, key);
  }
}
