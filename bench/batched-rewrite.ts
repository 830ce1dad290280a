/**
 * An experiment, not a mode of the package: what the processor would cost a client if it rewrote
 * spans a batch at a time instead of each in its own `onEnding`, where the rewrite runs with
 * caches cold after the wait for the server.
 *   node --import tsx bench/batched-rewrite.ts <workload> [rounds] [requests per batch] [rewrites at a time]
 * One process, the (3) pipeline of variants.ts (`rootPipeline`) behind a delegating processor
 * switched between batches of calls (the order rotating each round): (2) alone, (3) as shipped,
 * and (3) with each span's rewrite queued and run `rewrites at a time` together (the queue is
 * emptied before a batch's CPU is read). The queued rewrites write into a fresh SDK span that is
 * never exported, since the real one has ended by then (a real mode would hand rewritten copies to
 * the exporting processor); making it costs the batched mode a little more than the real one would.
 * Prints client CPU per request and the median of per-round ratios to (2), with quartiles, and the
 * wall time per call spent rewriting (`onEnding` as shipped, the queued rewrites when batched).
 */
import type { Context } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { buildCompiled, compiled } from './compiled';
import { ServerProcess } from './processes';
import { internalsOf } from './processor-internals';
import { median, pairedRatios, percentChange, percentRange, quantile } from './stats';
import { rootPipeline } from './variants';
import { workloadById, type WorkloadId } from './workloads';
import type { CaptureRecord } from '../src/capture/capture-record';
import type { ProcessorSpan, VLLMSpanProcessor } from '../src';

const [workloadId = 'chat-2k', roundsArg = '12', requestsArg, rewritesArg = '25'] = process.argv.slice(2);
const workload = workloadById(workloadId as WorkloadId);
const requests = Number(requestsArg ?? workload.batch);
const rewritesAtATime = Number(rewritesArg);

type Mode = 'undici' | 'processor' | 'batched';
/** A processor in one of the modes; `flush` runs what it queued (nothing as shipped). */
type ModeProcessor = { processor: VLLMSpanProcessor; flush(): void };
const MODES: readonly Mode[] = ['undici', 'processor', 'batched'];

/** Nanoseconds spent rewriting in the current batch of calls. */
let rewriteNanos = 0n;

function timed<T>(run: () => T): T {
  const start = process.hrtime.bigint();
  try {
    return run();
  } finally {
    rewriteNanos += process.hrtime.bigint() - start;
  }
}

/** The processor as shipped, its rewrite (`onEnding`) timed. */
function shippedProcessor(processor: VLLMSpanProcessor): ModeProcessor {
  const onEnding = processor.onEnding.bind(processor);
  processor.onEnding = (span: ProcessorSpan) => timed(() => onEnding(span));
  return { processor, flush: () => undefined };
}

/** A processor whose rewrites wait in a queue; `flush` runs them, timed. */
function batchedProcessor(processor: VLLMSpanProcessor): ModeProcessor {
  const internals = internalsOf(processor);
  const queue: CaptureRecord[] = [];
  // The real span has ended: its attributes can no longer change. A fresh SDK span from a provider
  // that exports nothing takes the rewrite instead, through the same setAttribute code.
  const standIns = new BasicTracerProvider().getTracer('stand-in');
  const flush = () =>
    timed(() => {
      for (const record of queue.splice(0)) {
        (record as { span: ProcessorSpan }).span = standIns.startSpan('POST') as unknown as ProcessorSpan;
        internals.rewrite(record);
      }
    });
  processor.onEnding = (span: ProcessorSpan) => {
    const record = internals.capture.recordOf(span);
    if (record !== undefined && !record.finished && queue.push(record) >= rewritesAtATime) flush();
  };
  // The record is finished by its queued rewrite, not at the span's end.
  processor.onEnd = () => undefined;
  return { processor, flush };
}

async function main(): Promise<void> {
  buildCompiled();
  const server = await ServerProcess.start('coalesced');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const instrumentation = new UndiciInstrumentation();
  const { VLLMSpanProcessor: Processor } = compiled<typeof import('../src')>('src/index');
  let active: ModeProcessor | undefined;
  const delegate = {
    onStart: (span: ProcessorSpan, context: Context) => active?.processor.onStart(span, context),
    onEnding: (span: ProcessorSpan) => active?.processor.onEnding(span),
    onEnd: (span: ProcessorSpan) => active?.processor.onEnd(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  rootPipeline([delegate]).attach(instrumentation);
  const switchTo = (mode: Mode) => {
    if (active !== undefined) void active.processor.shutdown();
    const processor = mode === 'undici' ? undefined : new Processor({ baseUrlPattern: '127.0.0.1' });
    active = processor === undefined ? undefined : mode === 'batched' ? batchedProcessor(processor) : shippedProcessor(processor);
  };

  const { BenchClient } = await import('./client');
  const client = new BenchClient(server.baseUrl);
  const cpu: Record<Mode, number[]> = { undici: [], processor: [], batched: [] };
  const rewriting: Record<Mode, number[]> = { undici: [], processor: [], batched: [] };
  const rounds = Number(roundsArg);
  // Round 0 warms every mode up and is not counted.
  for (let round = -1; round < rounds; round++) {
    const order = MODES.map((_, i) => MODES[(i + Math.max(round, 0)) % MODES.length]);
    for (const mode of order) {
      switchTo(mode);
      rewriteNanos = 0n;
      const start = process.cpuUsage();
      await client.batch(workload, requests);
      active?.flush();
      const used = process.cpuUsage(start);
      if (round < 0) continue;
      cpu[mode].push((used.user + used.system) / requests);
      rewriting[mode].push(Number(rewriteNanos) / 1000 / requests);
    }
  }
  switchTo('undici');
  await server.stop();

  console.log(`${workload.label}: client CPU per request, ${rounds} rounds of ${requests} calls, rewrites batched ${rewritesAtATime} at a time`);
  for (const mode of MODES) {
    const ratios = pairedRatios(cpu[mode], cpu.undici);
    const vsUndici =
      mode === 'undici'
        ? ''
        : `  ${percentChange(median(ratios))} vs (2) (quartiles ${percentRange(quantile(ratios, 0.25), quantile(ratios, 0.75))}); rewriting ${median(rewriting[mode]).toFixed(1)} µs per call`;
    console.log(`  ${mode.padEnd(10)} ${median(cpu[mode]).toFixed(0).padStart(7)} µs${vsUndici}`);
  }
  process.exit(0);
}

void main();
