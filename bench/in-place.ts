/**
 * What the processor costs inside a real client, timed in place rather than in a loop:
 *   node --import tsx bench/in-place.ts <workload> [batches] [requests per batch]
 * Runs the (3) pipeline of variants.ts (`rootPipeline`; the instrumentation enabled first, so that
 * the rewrite runs in `onEnding`, after the probe) against the benchmark server and wraps every way the
 * processor is entered (its span-processor methods, its diagnostics-channel subscribers, the
 * response chunks its Request wrap hands to the capture record) in an hrtime timer. Prints the
 * median µs per call of each and of their sum, next to a probe: one `JSON.parse` of a 25-byte
 * string as the first thing at the span's end, and the same parse again right after it.
 * Wall time, so run it on a quiet machine; the first third of the batches is warm-up.
 */
import { buildCompiled, compiled } from './compiled';
import { consume } from './cpu-timer';
import { ServerProcess } from './processes';
import { rootPipeline } from './variants';
import { workloadById } from './workloads';

const [workloadId = 'chat-2k', batchesArg = '30', requestsArg] = process.argv.slice(2);
const workload = workloadById(workloadId as Parameters<typeof workloadById>[0]);
const batches = Number(batchesArg);
const requests = Number(requestsArg ?? workload.batch);

/** Nanoseconds per entry point in the current call, and the per-call totals of the measured calls. */
const current = new Map<string, bigint>();
const perCall = new Map<string, number[]>();
let measuring = false;
let depth = 0;

function timed<F extends (...args: never[]) => unknown>(name: string, run: F): F {
  return function (this: unknown, ...args: never[]) {
    // Only the outermost entry counts: a subscriber may call into another timed function.
    if (depth++ > 0) {
      try {
        return run.apply(this, args);
      } finally {
        depth--;
      }
    }
    const start = process.hrtime.bigint();
    try {
      return run.apply(this, args);
    } finally {
      current.set(name, (current.get(name) ?? 0n) + process.hrtime.bigint() - start);
      depth--;
    }
  } as F;
}

/** Ends one call: its entry points' times become samples. */
function closeCall(): void {
  if (measuring) {
    let sum = 0n;
    for (const [name, ns] of current) {
      (perCall.get(name) ?? perCall.set(name, []).get(name)!).push(Number(ns) / 1000);
      if (!name.startsWith('probe')) sum += ns;
    }
    (perCall.get('sum') ?? perCall.set('sum', []).get('sum')!).push(Number(sum) / 1000);
  }
  current.clear();
}

const TINY_JSON = '{"a":1,"b":[1,2],"c":"x"}';

async function main(): Promise<void> {
  buildCompiled();
  const server = await ServerProcess.start('coalesced');
  // Enabled first, so that the processor rewrites in onEnding (after the probe), as with sdk-trace-base >= 2.3.
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const instrumentation = new UndiciInstrumentation();
  // The processor's subscribers are timed: it subscribes in its constructor, through this module
  // (the module object itself: an ESM namespace of it could not be changed).
  const diagnosticsChannel = require('node:diagnostics_channel') as { subscribe: typeof import('node:diagnostics_channel').subscribe };
  const subscribe = diagnosticsChannel.subscribe;
  diagnosticsChannel.subscribe = (name, listener) => subscribe(name, timed(`channel ${String(name).replace('undici:request:', '')}`, listener));
  const { VLLMSpanProcessor } = compiled<typeof import('../src')>('src/index');
  const processor = new VLLMSpanProcessor({ baseUrlPattern: '127.0.0.1' });
  diagnosticsChannel.subscribe = subscribe;
  const record = compiled<typeof import('../src/capture/capture-record')>('src/capture/capture-record').CaptureRecord.prototype;
  record.addResponseChunk = timed('response chunks (Request wrap)', record.addResponseChunk);

  const probe = {
    onStart: () => undefined,
    // Runs first at the span's end: nothing of this call's end has touched JSON.parse yet.
    onEnding: () => {
      const first = process.hrtime.bigint();
      consume(JSON.parse(TINY_JSON));
      const again = process.hrtime.bigint();
      consume(JSON.parse(TINY_JSON));
      const end = process.hrtime.bigint();
      current.set('probe: tiny JSON.parse, first', again - first);
      current.set('probe: tiny JSON.parse, again', end - again);
    },
    onEnd: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const timedProcessor = {
    onStart: timed('onStart', processor.onStart.bind(processor)),
    onEnding: timed('onEnding', processor.onEnding.bind(processor)),
    onEnd: timed('onEnd', processor.onEnd.bind(processor)),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
  const closer = { ...probe, onEnding: () => undefined, onEnd: () => closeCall() };
  rootPipeline([probe, timedProcessor, closer]).attach(instrumentation);

  const { BenchClient } = await import('./client');
  const client = new BenchClient(server.baseUrl);
  for (let batch = 0; batch < batches; batch++) {
    measuring = batch >= Math.floor(batches / 3);
    await client.batch(workload, requests);
  }
  await server.stop();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log(`${workload.label}: µs per call spent inside the processor, timed in place (median of ${perCall.get('sum')?.length ?? 0} calls)`);
  for (const [name, values] of [...perCall].sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${median(values).toFixed(1).padStart(8)}  ${name}`);
  process.exit(0);
}

void main();
