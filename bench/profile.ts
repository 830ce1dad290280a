/**
 * Runs one processor operation in a loop for a CPU profile:
 *   node --cpu-prof --cpu-prof-dir=.bench-out/profiles --import tsx bench/profile.ts <workload> [seconds] [operation]
 * `workload`: chat-2k, stream-100, stream-1k or stream-10k. `operation`: `call` (default: one whole
 * traced call through a real VLLMSpanProcessor and SDK span, as in the micro-benchmark) or an
 * internal stage (capture, decode, frame, parse, validate, interpret) or `floor`.
 * Open the .cpuprofile in Chrome DevTools (Performance tab) or summarise it:
 *   node --import tsx bench/profile-summary.ts .bench-out/profiles/<file>.cpuprofile rewrite
 */
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { buildCompiled } from './compiled';
import { consume } from './cpu-timer';
import { captureBodies, loadPackage, replayCall, stageOperations, tracedCall, UNDICI_SCOPE, type Stage } from './micro';
import { workloadById } from './workloads';

async function main(): Promise<void> {
  const [workloadId = 'stream-1k', seconds = '10', operation = 'call'] = process.argv.slice(2);
  workloadById(workloadId);
  buildCompiled();
  const pkg = loadPackage();
  const [body] = await captureBodies(pkg, [workloadById(workloadId).id]);
  const validator = new pkg.validation.SchemaValidator();
  let run: () => unknown;
  let processor: InstanceType<typeof pkg.processor.VLLMSpanProcessor> | undefined;
  if (operation === 'call') {
    processor = new pkg.processor.VLLMSpanProcessor({ baseUrlPattern: '127.0.0.1' });
    run = replayCall(new BasicTracerProvider({ spanProcessors: [processor as never] }).getTracer(UNDICI_SCOPE), tracedCall(body));
  } else {
    run = stageOperations(pkg, body, { validator, options: pkg.options.resolveOptions(undefined) })[operation as Stage | 'floor'];
    if (run === undefined) throw new Error(`unknown operation "${operation}"`);
  }
  const deadline = process.cpuUsage().user + Number(seconds) * 1e6;
  let calls = 0;
  while (process.cpuUsage().user < deadline) {
    for (let i = 0; i < 10; i++) consume(run());
    calls += 10;
  }
  const used = process.cpuUsage();
  console.log(`${calls} calls of ${operation} on ${workloadId}: ${((used.user / calls) | 0).toLocaleString()} µs of user CPU each (whole process, start-up included)`);
  await processor?.shutdown();
}

void main();
