/**
 * (3) against (2) call by call, in one process (forked by bench/run.ts, or run alone):
 *   node --import tsx bench/paired.ts <workload> [rounds] [busy-wait µs] [warm-up rounds]
 * The (3) pipeline of variants.ts (`rootPipeline`) behind a delegating processor that is switched
 * before every call, so that each measured call has neighbours of the other modes a few
 * milliseconds away: (2) alone, (3), (3) with the least work a rewrite could do instead of the
 * processor's (bench/floor-rewrite.ts), and (2) with a busy-wait of a known length at each span's
 * end (the calibration: it should read as that many µs). A round is one call of each mode, their
 * order rotating; the client CPU (`process.cpuUsage`, user + system) of every call is a sample.
 * Reports, per mode, the median and quartiles of the per-round differences to (2), and their mean
 * with a 95% interval (±1.96 standard errors), each also as a share of (2)'s median or mean call.
 * The median is the verdict: on a shared 2-core machine a call's CPU has a long tail (its 95th
 * percentile several times its median), which the mean's interval has to carry; the mean counts
 * the collections a call's garbage brings on, whichever call they land in.
 * Switching costs nothing measured: the processor's diagnostics-channel subscriptions are made or
 * dropped, and its rewrite swapped, between calls, outside the CPU reading.
 */
import type { Context } from '@opentelemetry/api';
import { buildCompiled, compiled } from './compiled';
import { FloorRewrite } from './floor-rewrite';
import { ServerProcess } from './processes';
import { internalsOf } from './processor-internals';
import { PAIRED_MODES, renderPaired, summarizePaired, type PairedMode, type PairedSamples, type PairedSettings } from './report';
import { busyWait, rootPipeline } from './variants';
import { workloadById, type WorkloadId } from './workloads';
import type { ProcessorSpan } from '../src';

type Mode = 'undici' | PairedMode;
const MODES: readonly Mode[] = ['undici', ...PAIRED_MODES];

/** The settings `npm run bench` uses; busy-waits near what the processor adds, so the calibration reads that range. */
export const PAIRED_SETTINGS: Record<'full' | 'quick', readonly PairedSettings[]> = {
  full: [
    { workload: 'chat-2k', rounds: 800, warmUpRounds: 1500, busyWaitMicros: 250 },
    { workload: 'stream-100', rounds: 300, warmUpRounds: 600, busyWaitMicros: 500 },
  ],
  quick: [
    { workload: 'chat-2k', rounds: 150, warmUpRounds: 150, busyWaitMicros: 250 },
    { workload: 'stream-100', rounds: 60, warmUpRounds: 60, busyWaitMicros: 500 },
  ],
};

/** Measures one workload call by call against its own server; the package must be compiled already. */
export async function runPaired(settings: PairedSettings): Promise<PairedSamples> {
  const workload = workloadById(settings.workload);
  const server = await ServerProcess.start('coalesced');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const instrumentation = new UndiciInstrumentation();
  const { VLLMSpanProcessor } = compiled<typeof import('../src')>('src/index');
  const processor = new VLLMSpanProcessor({ baseUrlPattern: '127.0.0.1' });
  // Its subscriptions, and the rewrite its capture calls when a request completes, are switched here between calls.
  const internals = internalsOf(processor);
  const capture = internals.capture;
  const floor = new FloorRewrite(processor);
  let mode: Mode = 'undici';
  const capturing = () => mode === 'processor' || mode === 'floor';
  const delegate = {
    onStart: (span: ProcessorSpan, context: Context) => (capturing() ? processor.onStart(span, context) : undefined),
    onEnding: (span: ProcessorSpan) => (capturing() ? processor.onEnding(span) : mode === 'busyWait' ? busyWait(settings.busyWaitMicros) : undefined),
    onEnd: (span: ProcessorSpan) => (capturing() ? processor.onEnd(span) : undefined),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  rootPipeline([delegate]).attach(instrumentation);
  const switchTo = (next: Mode) => {
    mode = next;
    internals.replaceRewrite(mode === 'floor' ? floor.floorRewrite : floor.processorRewrite);
    if (capturing()) capture.subscribe();
    else capture.unsubscribe();
  };

  const { BenchClient } = await import('./client');
  const client = new BenchClient(server.baseUrl);
  const cpuMicros: Record<Mode, number[]> = { undici: [], processor: [], floor: [], busyWait: [] };
  try {
    for (let round = -settings.warmUpRounds; round < settings.rounds; round++) {
      for (let i = 0; i < MODES.length; i++) {
        const current = MODES[(i + Math.abs(round)) % MODES.length];
        switchTo(current);
        const start = process.cpuUsage();
        const characters = await client.call(workload);
        const used = process.cpuUsage(start);
        if (characters !== workload.maxTokens * 4) throw new Error(`${current} on ${workload.id}: got ${characters} characters of content`);
        if (round >= 0) cpuMicros[current].push(used.user + used.system);
      }
    }
  } finally {
    switchTo('undici');
    await processor.shutdown();
    await server.stop();
  }
  if (floor.checksum === 0) throw new Error('the floor rewrite never ran');
  return { ...settings, cpuMicros };
}

if (require.main === module) {
  const [workload = 'chat-2k', rounds = '600', busyWaitMicros = '250', warmUpRounds] = process.argv.slice(2);
  const settings: PairedSettings = {
    workload: workload as WorkloadId,
    rounds: Number(rounds),
    warmUpRounds: warmUpRounds === undefined ? Math.ceil(Number(rounds) / 5) : Number(warmUpRounds),
    busyWaitMicros: Number(busyWaitMicros),
  };
  // Forked by run.ts, the build is done and the samples go back; run alone, build first and print.
  if (process.send === undefined) buildCompiled();
  runPaired(settings).then(
    samples => {
      if (process.send) process.send(samples, () => process.exit(0));
      else {
        console.log(renderPaired(summarizePaired({ [samples.workload]: samples })));
        process.exit(0);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
