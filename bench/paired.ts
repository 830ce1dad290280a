/**
 * (3) against (2) call by call, in one process:
 *   node --import tsx bench/paired.ts <workload> [rounds] [busy-wait µs] [warm-up rounds]
 * The (3) pipeline of variants.ts (`rootPipeline`) behind a delegating processor that is switched
 * before every call, so that each measured call has neighbours of the other modes a few
 * milliseconds away: (2) alone, (3), (3) with the least work a rewrite could do instead of the
 * processor's (bench/floor-rewrite.ts), and (2) with a busy-wait of a known length at each span's
 * end (the calibration: it should read as that many µs). A round is one call of each mode, their
 * order rotating; the client CPU (`process.cpuUsage`, user + system) of every call is a sample.
 * Reports, per mode, the mean of the per-round differences to (2) with a 95% interval (±1.96
 * standard errors), and their median and quartiles, each also as a share of (2)'s mean or median
 * call. The mean counts the collections a call's garbage brings on, whichever call they land in;
 * the median is steadier: on a shared 2-core machine a call's CPU has a long tail (its 95th
 * percentile several times its median), which the mean's interval has to carry.
 * Switching costs nothing measured: the processor's diagnostics-channel subscriptions are made or
 * dropped between calls, outside the CPU reading.
 */
import type { Context } from '@opentelemetry/api';
import { buildCompiled, compiled } from './compiled';
import { FloorRewrite } from './floor-rewrite';
import { ServerProcess } from './processes';
import { meanWithInterval, median, quantile } from './stats';
import { busyWait, rootPipeline } from './variants';
import { workloadById, type WorkloadId } from './workloads';
import type { ProcessorSpan } from '../src';

const [workloadId = 'chat-2k', roundsArg = '600', busyWaitArg = '100', warmUpArg] = process.argv.slice(2);
const workload = workloadById(workloadId as WorkloadId);
const rounds = Number(roundsArg);
const busyWaitMicros = Number(busyWaitArg);

type Mode = 'undici' | 'processor' | 'floor' | 'busy-wait';
const MODES: readonly Mode[] = ['undici', 'processor', 'floor', 'busy-wait'];

/** The capture's subscriptions, private in the package: switched here between calls. */
interface ProcessorInternals {
  capture: { subscribe(): void; unsubscribe(): void };
}

async function main(): Promise<void> {
  buildCompiled();
  const server = await ServerProcess.start('coalesced');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const instrumentation = new UndiciInstrumentation();
  const { VLLMSpanProcessor } = compiled<typeof import('../src')>('src/index');
  const processor = new VLLMSpanProcessor({ baseUrlPattern: '127.0.0.1' });
  const capture = (processor as unknown as ProcessorInternals).capture;
  const floor = new FloorRewrite(processor);
  let mode: Mode = 'undici';
  const capturing = () => mode === 'processor' || mode === 'floor';
  const onEnding: Record<Mode, (span: ProcessorSpan) => void> = {
    undici: () => undefined,
    processor: span => floor.processorOnEnding(span),
    floor: span => floor.onEnding(span),
    'busy-wait': () => busyWait(busyWaitMicros),
  };
  const delegate = {
    onStart: (span: ProcessorSpan, context: Context) => (capturing() ? processor.onStart(span, context) : undefined),
    onEnding: (span: ProcessorSpan) => onEnding[mode](span),
    onEnd: (span: ProcessorSpan) => (capturing() ? processor.onEnd(span) : undefined),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  rootPipeline([delegate]).attach(instrumentation);
  const switchTo = (next: Mode) => {
    mode = next;
    if (capturing()) capture.subscribe();
    else capture.unsubscribe();
  };

  const { BenchClient } = await import('./client');
  const client = new BenchClient(server.baseUrl);
  const cpu: Record<Mode, number[]> = { undici: [], processor: [], floor: [], 'busy-wait': [] };
  // Warm-up rounds (a fifth of the measured ones unless given) are not counted.
  const warmUp = warmUpArg === undefined ? Math.ceil(rounds / 5) : Number(warmUpArg);
  for (let round = -warmUp; round < rounds; round++) {
    for (let i = 0; i < MODES.length; i++) {
      const current = MODES[(i + Math.abs(round)) % MODES.length];
      switchTo(current);
      const start = process.cpuUsage();
      await client.call(workload);
      const used = process.cpuUsage(start);
      if (round >= 0) cpu[current].push(used.user + used.system);
    }
  }
  switchTo('undici');
  await processor.shutdown();
  await server.stop();

  const baseline = { mean: meanWithInterval(cpu.undici).mean, median: median(cpu.undici) };
  const share = (micros: number, of: number) => `${((micros / of) * 100).toFixed(1)}%`;
  console.log(`${workload.label}: client CPU per call, ${rounds} rounds, busy-wait ${busyWaitMicros} µs (floor checksum ${floor.checksum})`);
  console.log(`  undici      mean ${baseline.mean.toFixed(0)} µs, median ${baseline.median.toFixed(0)} µs`);
  for (const current of MODES.slice(1)) {
    const differences = cpu[current].map((value, i) => value - cpu.undici[i]);
    const added = meanWithInterval(differences);
    const typical = median(differences);
    console.log(
      `  ${current.padEnd(10)}  adds a mean ${added.mean.toFixed(0)} ± ${added.halfWidth.toFixed(0)} µs (${share(added.mean, baseline.mean)} ± ${share(added.halfWidth, baseline.mean)}), ` +
        `a median ${typical.toFixed(0)} µs (${share(typical, baseline.median)}; quartiles ${quantile(differences, 0.25).toFixed(0)}..${quantile(differences, 0.75).toFixed(0)} µs)`,
    );
  }
  process.exit(0);
}

void main();
