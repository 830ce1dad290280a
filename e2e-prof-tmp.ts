// A real client loop (bench server process, undici instrumentation, processor) for a CPU profile.
import { buildCompiled, compiled } from './bench/compiled';
import { ServerProcess } from './bench/processes';
import { rootPipeline } from './bench/variants';
import { workloadById } from './bench/workloads';
async function main() {
  buildCompiled();
  const workload = workloadById((process.env.WL ?? 'chat-2k') as 'chat-2k');
  const server = await ServerProcess.start('coalesced');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
  const instrumentation = new UndiciInstrumentation();
  const { VLLMSpanProcessor } = compiled<typeof import('./src')>('src/index');
  const processor = new VLLMSpanProcessor({ baseUrlPattern: '127.0.0.1' });
  rootPipeline([processor]).attach(instrumentation);
  const { BenchClient } = await import('./bench/client');
  const client = new BenchClient(server.baseUrl);
  for (let i = 0; i < 1500; i++) await client.call(workload);
  const start = process.cpuUsage(); let n = 0;
  const until = Date.now() + 12000;
  while (Date.now() < until) { await client.call(workload); n++; }
  const used = process.cpuUsage(start);
  console.log('calls', n, 'client CPU µs/call', ((used.user + used.system) / n).toFixed(0));
  await server.stop(); process.exit(0);
}
main();
