/**
 * Shared pieces of the property tests: one interpreter context (schemas compiled once),
 * exchanges built from bytes, and the check that a span rewrite holds only valid
 * OpenTelemetry attribute values.
 */
import type { Attributes } from '@opentelemetry/api';
import { expect } from 'chai';
import { CaptureRecord } from '../../src/capture/capture-record';
import { ENDPOINT_HANDLERS } from '../../src/endpoints/registry';
import type { Exchange, SpanRewrite } from '../../src/interpret/exchange';
import { interpretExchange } from '../../src/interpret/interpret';
import { resolveOptions } from '../../src/options';
import type { EndpointKind } from '../../src/routing';
import type { ProcessorSpan } from '../../src/types';
import { foldsAsItArrives, LiveStreamFold } from '../../src/interpret/stream-fold';
import { SchemaValidator } from '../../src/interpret/validation';

const context = { validator: new SchemaValidator(), options: resolveOptions({}) };

/**
 * fast-check parameters for `numRuns` runs, scaled by FUZZ_FACTOR (e.g. `FUZZ_FACTOR=20 npx mocha
 * test/fuzz/*.test.ts` for a deep run); `npm test` keeps the factor 1 so that the suite stays fast.
 */
export function runs(numRuns: number): { numRuns: number } {
  const factor = Number(process.env.FUZZ_FACTOR ?? 1);
  return { numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(factor) && factor > 0 ? factor : 1))) };
}

/** The validator every property test shares (compiling the schemas is the slow part). */
export const validator = context.validator;

/** What interpreting one exchange gave: the rewrite and the problems it logged. */
export interface Interpretation {
  rewrite: SpanRewrite;
  problems: string[];
}

/** Runs the real interpreter with the default options. */
export function interpret(exchange: Exchange): Interpretation {
  const problems: string[] = [];
  const rewrite = interpretExchange(exchange, context, problem => problems.push(problem));
  return { rewrite, problems };
}

/** The bytes and metadata of one HTTP exchange, before capture. */
export interface ExchangeBytes {
  endpoint: EndpointKind;
  request: Buffer;
  response: Buffer;
  statusCode?: number;
  contentType?: string;
  contentEncoding?: string;
}

/** How `captureExchange` takes the bytes. */
export interface CaptureSettings {
  maxBodyBytes?: number;
  /** Keep the whole response body, the reference, instead of folding an SSE response as it arrives. */
  keepWhole?: boolean;
  /** Bytes a live fold holds before folding them (0, the default: every chunk at once). */
  foldBatchBytes?: number;
}

/**
 * Feeds the bytes through a real CaptureRecord, cut into chunks at `requestCuts` and
 * `responseCuts` (offsets, any order), as undici would hand them over, and returns the
 * Exchange the processor would interpret. An SSE response is folded as it arrives, as the
 * processor does (LiveStreamFold), unless `keepWhole` asks for the whole body at the end.
 */
export function captureExchange(
  bytes: ExchangeBytes,
  cuts: { request?: number[]; response?: number[] } = {},
  { maxBodyBytes = 4 * 1024 * 1024, keepWhole = false, foldBatchBytes = 0 }: CaptureSettings = {},
): Exchange {
  // toExchange never reads the span; the record only carries it for the processor.
  const record = new CaptureRecord({} as ProcessorSpan, bytes.endpoint, maxBodyBytes);
  for (const chunk of cutAt(bytes.request, cuts.request ?? [])) record.requestBody.append(chunk);
  record.statusCode = bytes.statusCode ?? 200;
  record.contentType = bytes.contentType;
  record.contentEncoding = bytes.contentEncoding;
  if (!keepWhole && foldsAsItArrives(record)) record.liveResponse = new LiveStreamFold(ENDPOINT_HANDLERS[bytes.endpoint], context, foldBatchBytes);
  for (const chunk of cutAt(bytes.response, cuts.response ?? [])) record.addResponseChunk(chunk);
  return record.toExchange();
}

/** `bytes` cut at the given offsets (duplicates and out-of-range offsets ignored). */
export function cutAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.filter(offset => offset > 0 && offset < bytes.length))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(Buffer.from(bytes.subarray(start, point)));
    start = point;
  }
  return chunks;
}

/** A rewrite without what legitimately differs between two captures of the same bytes. */
export function comparable(rewrite: SpanRewrite): unknown {
  const { 'gen_ai.response.time_to_first_chunk': _timing, ...attributes } = rewrite.attributes;
  return { name: rewrite.name, status: rewrite.status, attributes };
}

/** Fails unless every value is a string, a finite number, a boolean, or a homogeneous array of one of those. */
export function expectValidAttributes(attributes: Attributes): void {
  for (const [key, value] of Object.entries(attributes)) {
    expect(key, 'attribute key').to.be.a('string').and.not.equal('');
    if (Array.isArray(value)) {
      const types = new Set(value.map(item => typeof item));
      expect(types.size, `${key} is a homogeneous array`).to.be.at.most(1);
      for (const item of value) expectPrimitive(key, item);
    } else {
      expectPrimitive(key, value);
    }
  }
}

function expectPrimitive(key: string, value: unknown): void {
  const type = typeof value;
  expect(['string', 'number', 'boolean'], `${key} has a primitive value, got ${type}`).to.include(type);
  if (type === 'number') expect(Number.isFinite(value), `${key} is finite`).to.equal(true);
}
