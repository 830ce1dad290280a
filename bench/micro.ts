/**
 * Processor-only micro-benchmarks, in a process of their own (forked by bench/run.ts, or run
 * alone: `node --import tsx bench/micro.ts [--quick] [--no-build]`, which prints JSON).
 *
 * 1. Traced call: the processor's whole work for one vLLM call (link at `undici:request:create`,
 *    capture of every chunk through the Request wrap as undici 6 delivers it, an SSE body decoded,
 *    framed, validated and folded in 64 KiB batches as it arrives; rewrite at the end: JSON.parse
 *    of the request (and of a JSON response), validation, mapping, attribute policy, setting the
 *    attributes on a real SDK span), as the difference between the same synthetic undici traffic
 *    with and without the processor. Against the floor: one `JSON.parse` of each event of the same
 *    body. Per byte, and by stage (internal functions, on a kept body), so a miss shows where it goes.
 * 2. Untraced call: the same difference for requests the processor leaves alone.
 *
 * Bodies are the exact bytes of the benchmark server, in the chunks fetch received them in.
 * The package is loaded compiled (bench/compiled.ts), like an application would load it.
 */
import { propagation, SpanKind, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { CaptureRecord } from '../src/capture/capture-record';
import type { MappingContext } from '../src/endpoints/endpoint-handler';
import type { Exchange } from '../src/interpret/exchange';
import type { VLLMSpanProcessor } from '../src/processor';
import type { ProcessorSpan } from '../src/types';
import { VllmTestServer } from '../test/support/vllm-server';
import { buildCompiled, compiled } from './compiled';
import { consume, cpuNanosPerCall, sinkValue } from './cpu-timer';
import { median } from './stats';
import { chatRequestBody, workloadById, type WorkloadId } from './workloads';

/** The package modules the micro-benchmarks call. */
interface Package {
  body: typeof import('../src/interpret/body');
  capture: typeof import('../src/capture/capture-record');
  interpret: typeof import('../src/interpret/interpret');
  options: typeof import('../src/options');
  processor: typeof import('../src/processor');
  sse: typeof import('../src/interpret/sse');
  validation: typeof import('../src/interpret/validation');
}

/** Loads the compiled package (build it first: `buildCompiled()`). */
export function loadPackage(): Package {
  // The replayed calls carry a W3C traceparent, as with a registered propagator; the processor checks for one.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    body: compiled('src/interpret/body'),
    capture: compiled('src/capture/capture-record'),
    interpret: compiled('src/interpret/interpret'),
    options: compiled('src/options'),
    processor: compiled('src/processor'),
    sse: compiled('src/interpret/sse'),
    validation: compiled('src/interpret/validation'),
  };
}

/** The bodies measured, smallest first. */
export const MICRO_WORKLOADS: readonly WorkloadId[] = ['chat-2k', 'stream-100', 'stream-1k', 'stream-10k'];

/** A body as the capture saw it. */
export interface CapturedBody {
  workload: WorkloadId;
  stream: boolean;
  requestBody: Buffer;
  chunks: Buffer[];
  responseBytes: number;
  contentType: string;
  /** `data:` payloads other than `[DONE]` (streams), or the whole body: what the floor parses. */
  jsonTexts: string[];
}

/** Internal stages, cumulative from `decode` to `interpret` (each includes the ones before it); `capture` alone. */
export type Stage = 'capture' | 'decode' | 'frame' | 'parse' | 'validate' | 'interpret';

/** Median CPU nanoseconds for one body. */
export interface BodyMeasure {
  workload: WorkloadId;
  responseBytes: number;
  events: number;
  chunks: number;
  /** JSON.parse of each event (stream) or of the body (non-stream). */
  floorNs: number;
  /** What the processor adds to one call with this body (traced call with minus without the processor). */
  processorNs: number;
  /** The synthetic undici traffic and SDK span of one call, without the processor. */
  trafficNs: number;
  stagesNs: Record<Stage, number>;
  /** Every round's figure, to see the spread. */
  samplesNs: { floor: number[]; processor: number[] };
}

/** Cost added to one request the processor leaves alone. */
export interface UntracedMeasure {
  case: string;
  /** Same channel traffic and span without the processor. */
  baselineNs: number;
  withProcessorNs: number;
  addedNs: number;
}

/** Everything the micro-benchmarks found. */
export interface MicroResult {
  /** One-time compilation of every schema (first SchemaValidator in the process). */
  schemaCompileMs: number;
  bodies: BodyMeasure[];
  untraced: UntracedMeasure[];
  rounds: number;
}

/** Fetches each workload's body from a benchmark server in this process, keeping fetch's chunks. */
export async function captureBodies(pkg: Package, workloads: readonly WorkloadId[] = MICRO_WORKLOADS): Promise<CapturedBody[]> {
  const server = await VllmTestServer.start();
  try {
    const bodies: CapturedBody[] = [];
    for (const id of workloads) {
      const workload = workloadById(id);
      const requestText = JSON.stringify(chatRequestBody(workload));
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: requestText,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      const text = Buffer.concat(chunks).toString('utf8');
      const jsonTexts: string[] = [];
      if (workload.stream) pkg.sse.forEachSseEvent(text, data => data !== '[DONE]' && jsonTexts.push(data));
      else jsonTexts.push(text);
      bodies.push({
        workload: id,
        stream: workload.stream,
        requestBody: Buffer.from(requestText),
        chunks,
        responseBytes: text.length,
        contentType: response.headers.get('content-type') ?? '',
        jsonTexts,
      });
    }
    return bodies;
  } finally {
    await server.close();
  }
}

const NO_OP = (): undefined => undefined;
/** Scope name of the undici instrumentation's tracer: the processor only pairs spans from it. */
export const UNDICI_SCOPE = '@opentelemetry/instrumentation-undici';
const CHANNELS = {
  create: diagnosticsChannel.channel('undici:request:create'),
  sendHeaders: diagnosticsChannel.channel('undici:client:sendHeaders'),
  headers: diagnosticsChannel.channel('undici:request:headers'),
  trailers: diagnosticsChannel.channel('undici:request:trailers'),
};

/** One call's worth of undici traffic: the request, its response head, and the body chunks. */
export interface SyntheticCall {
  origin: string;
  path: string;
  method: string;
  contentType: string;
  requestBody?: Buffer;
  chunks: readonly Buffer[];
}

/**
 * Replays one call as undici 6 (Node 20/22) and its instrumentation drive a span processor:
 * `create` (the instrumentation starts the span inside it and injects its `traceparent` into the
 * request), `sendHeaders`, request body through `onBodySent`, response head, every body chunk
 * through `onData`, `onComplete` (which publishes `trailers`), then the span ends.
 */
export function replayCall(tracer: Tracer, call: SyntheticCall): () => unknown {
  const response = { statusCode: 200, headers: [Buffer.from('content-type'), Buffer.from(call.contentType)] };
  const url = call.origin + call.path;
  const options = { kind: SpanKind.CLIENT, attributes: { 'http.request.method': call.method, 'url.full': url } };
  return () => {
    const request = {
      origin: call.origin,
      path: call.path,
      method: call.method,
      headers: [] as string[],
      onData: NO_OP as (chunk: Buffer) => unknown,
      onBodySent: NO_OP as (chunk: Buffer) => unknown,
      onComplete: NO_OP as (trailers: unknown[]) => unknown,
    };
    CHANNELS.create.publish({ request });
    const span = tracer.startSpan(call.method, options);
    const { traceId, spanId } = span.spanContext();
    request.headers.push('traceparent', `00-${traceId}-${spanId}-01`);
    CHANNELS.sendHeaders.publish({ request, headers: '', socket: undefined });
    if (call.requestBody !== undefined) request.onBodySent(call.requestBody);
    CHANNELS.headers.publish({ request, response });
    for (const chunk of call.chunks) request.onData(chunk);
    request.onComplete([]);
    CHANNELS.trailers.publish({ request, trailers: [] });
    span.end();
    return span;
  };
}

/** Stands in for the undici instrumentation's subscribers, so that publishing costs the same with and without the processor. */
function subscribeStandIn(): () => void {
  for (const channel of Object.values(CHANNELS)) channel.subscribe(NO_OP);
  return () => {
    for (const channel of Object.values(CHANNELS)) channel.unsubscribe(NO_OP);
  };
}

/**
 * CPU per replayed call without, then with a processor. A processor subscribes at construction
 * and unsubscribes at shutdown, so each measurement builds its own (outside the timed part).
 */
function callWithAndWithout(
  pkg: Package,
  call: SyntheticCall,
  processorOptions: ConstructorParameters<typeof VLLMSpanProcessor>[0],
  budgetMicros: number,
): { baselineNs: number; withProcessorNs: number } {
  const baselineNs = cpuNanosPerCall(replayCall(new BasicTracerProvider().getTracer(UNDICI_SCOPE), call), budgetMicros);
  const processor = new pkg.processor.VLLMSpanProcessor(processorOptions);
  try {
    const tracer = new BasicTracerProvider({ spanProcessors: [processor as never] }).getTracer(UNDICI_SCOPE);
    const withProcessorNs = cpuNanosPerCall(replayCall(tracer, call), budgetMicros);
    if (processor.liveCaptureCount !== 0) throw new Error(`${processor.liveCaptureCount} capture records left after the calls`);
    return { baselineNs, withProcessorNs };
  } finally {
    void processor.shutdown();
  }
}

/** The internal stages of the processor's work on one body, each as a function to time (diagnosis). */
export function stageOperations(pkg: Package, body: CapturedBody, mapping: MappingContext): Record<Stage | 'floor', () => unknown> {
  const { bodyText, parseJson } = pkg.body;
  const { forEachSseEvent } = pkg.sse;
  const { interpretExchange } = pkg.interpret;
  const span = {} as ProcessorSpan;
  const maxBodyBytes = pkg.options.resolveOptions(undefined).maxBodyBytes;
  const capture = (): CaptureRecord => {
    const record = new pkg.capture.CaptureRecord(span, 'chat', maxBodyBytes);
    record.requestBody.append(body.requestBody);
    for (const chunk of body.chunks) record.addResponseChunk(chunk);
    record.statusCode = 200;
    record.contentType = body.contentType;
    return record;
  };
  const exchange: Exchange = capture().toExchange();
  const schema = body.stream ? 'chat-completion-chunk' : 'chat-completion-response';
  // Event callbacks made once, so that timing them adds no closure creation per call.
  const countChars = (data: string): void => consume(data === '[DONE]' ? 0 : data.length);
  const parse = (data: string): void => consume(data === '[DONE]' ? 0 : parseJson(data));
  const validate = (data: string): void => consume(data === '[DONE]' ? 0 : mapping.validator.is(schema, parseJson(data)));
  const eachEvent = (onData: (data: string) => void) => (): void => {
    const decoded = bodyText(exchange.responseBody).text ?? '';
    if (body.stream) forEachSseEvent(decoded, onData);
    else onData(decoded);
  };
  return {
    floor: () => {
      for (const json of body.jsonTexts) consume(JSON.parse(json));
    },
    capture: () => {
      const record = capture();
      consume(record.toExchange());
      record.release();
    },
    decode: () => bodyText(exchange.responseBody).text?.length,
    frame: eachEvent(countChars),
    parse: eachEvent(parse),
    validate: eachEvent(validate),
    interpret: () => interpretExchange(exchange, mapping, NO_OP),
  };
}

const STAGES: readonly Stage[] = ['capture', 'decode', 'frame', 'parse', 'validate', 'interpret'];

function measureBodies(pkg: Package, bodies: CapturedBody[], mapping: MappingContext, rounds: Rounds, budgetMicros: number): BodyMeasure[] {
  const operations = bodies.map(body => stageOperations(pkg, body, mapping));
  const floor = bodies.map(() => [] as number[]);
  const baseline = bodies.map(() => [] as number[]);
  const processor = bodies.map(() => [] as number[]);
  const stages = bodies.map(() => Object.fromEntries(STAGES.map(stage => [stage, [] as number[]])) as Record<Stage, number[]>);
  const unsubscribe = subscribeStandIn();
  try {
    // Interleaved: every operation of every body once per round, so that drift hits all alike.
    // Warm-up rounds (negative) are not kept.
    for (let round = -rounds.warmUp; round < rounds.kept; round++) {
      bodies.forEach((body, b) => {
        const keep = round >= 0;
        const floorNs = cpuNanosPerCall(operations[b].floor, budgetMicros);
        const call = callWithAndWithout(pkg, tracedCall(body), { baseUrlPattern: '127.0.0.1' }, budgetMicros);
        if (keep) {
          floor[b].push(floorNs);
          baseline[b].push(call.baselineNs);
          processor[b].push(call.withProcessorNs - call.baselineNs);
        }
        for (const stage of STAGES) {
          const stageNs = cpuNanosPerCall(operations[b][stage], budgetMicros);
          if (keep) stages[b][stage].push(stageNs);
        }
      });
    }
  } finally {
    unsubscribe();
  }
  return bodies.map((body, b) => ({
    workload: body.workload,
    responseBytes: body.responseBytes,
    events: body.stream ? body.jsonTexts.length : 1,
    chunks: body.chunks.length,
    floorNs: median(floor[b]),
    processorNs: median(processor[b]),
    trafficNs: median(baseline[b]),
    stagesNs: Object.fromEntries(STAGES.map(stage => [stage, median(stages[b][stage])])) as Record<Stage, number>,
    samplesNs: { floor: floor[b].map(Math.round), processor: processor[b].map(Math.round) },
  }));
}

/** A chat call to the vLLM server with this body. */
export function tracedCall(body: CapturedBody): SyntheticCall {
  return { origin: 'http://127.0.0.1:8000', path: '/v1/chat/completions', method: 'POST', contentType: body.contentType, requestBody: body.requestBody, chunks: body.chunks };
}

/** Requests the processor must leave alone, each on a different early exit. */
const UNTRACED_CASES: ReadonlyArray<SyntheticCall & { name: string }> = [
  {
    name: 'POST /v1/chat/completions, host not in baseUrlPattern',
    origin: 'https://api.openai.example',
    path: '/v1/chat/completions',
    method: 'POST',
    contentType: 'application/json',
    chunks: [Buffer.from('{"id":"x"}')],
  },
  { name: 'GET /v1/models on the vLLM host', origin: 'http://vllm.internal.example:8000', path: '/v1/models', method: 'GET', contentType: 'application/json', chunks: [Buffer.from('{"data":[]}')] },
  {
    name: 'POST /v1/audio/transcriptions (no handler) on the vLLM host',
    origin: 'http://vllm.internal.example:8000',
    path: '/v1/audio/transcriptions',
    method: 'POST',
    contentType: 'application/json',
    chunks: [Buffer.from('{"text":"x"}')],
  },
];

function measureUntraced(pkg: Package, rounds: Rounds, budgetMicros: number): UntracedMeasure[] {
  const baseline = UNTRACED_CASES.map(() => [] as number[]);
  const withProcessor = UNTRACED_CASES.map(() => [] as number[]);
  const unsubscribe = subscribeStandIn();
  try {
    // Warm-up rounds (negative) are not kept.
    for (let round = -rounds.warmUp; round < rounds.kept; round++) {
      UNTRACED_CASES.forEach((testCase, c) => {
        const measured = callWithAndWithout(pkg, testCase, { baseUrlPattern: 'vllm.internal.example' }, budgetMicros);
        if (round < 0) return;
        baseline[c].push(measured.baselineNs);
        withProcessor[c].push(measured.withProcessorNs);
      });
    }
  } finally {
    unsubscribe();
  }
  return UNTRACED_CASES.map((testCase, c) => {
    const baselineNs = median(baseline[c]);
    const withProcessorNs = median(withProcessor[c]);
    return { case: testCase.name, baselineNs, withProcessorNs, addedNs: withProcessorNs - baselineNs };
  });
}

/**
 * Rounds of a micro-benchmark: `warmUp` unkept rounds first. One is not enough: with the bodies
 * interleaved, the processor's CPU per call on the chat body kept falling over the first five
 * rounds of a run (100, 97, 72, 74, 90, then 22 to 42 µs), as V8 settled its optimised code.
 */
interface Rounds {
  warmUp: number;
  kept: number;
}

/** Runs both micro-benchmarks on the compiled package; `quick` uses fewer rounds and a smaller time budget per sample. */
export async function runMicro(quick: boolean): Promise<MicroResult> {
  const pkg = loadPackage();
  const compileStart = performance.now();
  const validator = new pkg.validation.SchemaValidator();
  const schemaCompileMs = performance.now() - compileStart;
  const mapping: MappingContext = { validator, options: pkg.options.resolveOptions(undefined) };
  const bodies = await captureBodies(pkg);
  const rounds: Rounds = quick ? { warmUp: 1, kept: 3 } : { warmUp: 4, kept: 9 };
  const budgetMicros = quick ? 25_000 : 50_000;
  const result: MicroResult = {
    schemaCompileMs,
    bodies: measureBodies(pkg, bodies, mapping, rounds, budgetMicros),
    untraced: measureUntraced(pkg, rounds, budgetMicros),
    rounds: rounds.kept,
  };
  if (sinkValue() === 0.5) console.log('unreachable'); // keeps the sink observable
  return result;
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  // Forked by run.ts, the build is done; run alone, build first (--no-build measures .bench-out as it is).
  if (process.send === undefined && !process.argv.includes('--no-build')) buildCompiled();
  runMicro(quick).then(
    result => {
      if (process.send) process.send(result);
      else console.log(JSON.stringify(result, null, 2));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
