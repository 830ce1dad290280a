/**
 * Where the end-to-end difference between (2) and (3) goes: one process with the processor
 * switched on and off between batches (as the benchmark's same-process comparison), a CPU profile
 * of each batch, and the self time per function of the "on" batches minus the "off" batches:
 *   node --expose-gc --import tsx bench/profile-switched.ts <workload> [rounds] [requests per batch] [rows]
 * Sampling adds its own overhead, so the per-request figures are larger than the benchmark's; the
 * differences between functions and groups (package, SDK, undici, GC) are what it is for.
 */
import * as inspector from 'node:inspector';
import { buildCompiled } from './compiled';
import { ServerProcess } from './processes';
import { activateVariant } from './variants';
import { workloadById } from './workloads';

type Mode = 'undici' | 'undici+vllm';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// Which part of the process a function belongs to, by its file.
const GROUPS: ReadonlyArray<[string, (label: string) => boolean]> = [
  ['package', label => label.includes('.bench-out/cjs/src/')],
  ['garbage collection', label => label.startsWith('(garbage collector)')],
  ['OpenTelemetry', label => label.includes('@opentelemetry/')],
  ['undici', label => label.includes('undici')],
  ['other', () => true],
];

function post<T>(session: inspector.Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
}

function label({ callFrame: { functionName, url, lineNumber } }: ProfileNode): string {
  const file = url.replace(/^.*node_modules\//, '').replace(/^.*?(\.bench-out\/|bench\/)/, '$1');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function addSelfTimes(profile: Profile, into: Map<string, number>): void {
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  profile.samples.forEach((id, i) => {
    const name = label(byId.get(id)!);
    // Idle time is no CPU; `dispatch` is the inspector building the profile it is about to return.
    if (!name.startsWith('(idle)') && name !== 'dispatch :0') into.set(name, (into.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
}

async function main(): Promise<void> {
  const [workloadId = 'chat-2k', roundsText = '6', batchText = '150', rowsText = '30'] = process.argv.slice(2);
  const workload = workloadById(workloadId);
  const batch = Number(batchText);
  buildCompiled();
  const server = await ServerProcess.start();
  const variant = activateVariant('switchable');
  const { BenchClient } = await import('./client');
  const client = new BenchClient(server.baseUrl);
  const run = async (mode: Mode) => {
    variant.switchTo!(mode);
    await client.batch(workload, batch);
  };
  for (const mode of ['undici', 'undici+vllm', 'undici', 'undici+vllm'] as const) await run(mode);

  const session = new inspector.Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  const selfTimes: Record<Mode, Map<string, number>> = { undici: new Map(), 'undici+vllm': new Map() };
  for (let round = 0; round < Number(roundsText); round++) {
    const order: Mode[] = round % 2 === 0 ? ['undici', 'undici+vllm', 'undici+vllm', 'undici'] : ['undici+vllm', 'undici', 'undici', 'undici+vllm'];
    for (const mode of order) {
      await post(session, 'Profiler.start');
      await run(mode);
      addSelfTimes((await post<{ profile: Profile }>(session, 'Profiler.stop')).profile, selfTimes[mode]);
    }
  }
  await server.stop();

  const requestsPerMode = Number(roundsText) * 2 * batch;
  const names = new Set([...selfTimes.undici.keys(), ...selfTimes['undici+vllm'].keys()]);
  const rows = [...names].map(name => {
    const on = (selfTimes['undici+vllm'].get(name) ?? 0) / requestsPerMode;
    return { name, on, added: on - (selfTimes.undici.get(name) ?? 0) / requestsPerMode };
  });
  rows.sort((a, b) => b.added - a.added);
  console.log(`${workload.label}: sampled self time, µs per request, processor on minus off (${requestsPerMode} requests each)`);
  console.log('  added       on  function');
  for (const row of rows.slice(0, Number(rowsText))) console.log(`${row.added.toFixed(1).padStart(7)}  ${row.on.toFixed(1).padStart(7)}  ${row.name}`);
  const byGroup = new Map<string, number>();
  for (const row of rows) {
    const group = GROUPS.find(([, matches]) => matches(row.name))![0];
    byGroup.set(group, (byGroup.get(group) ?? 0) + row.added);
  }
  console.log(`by group: ${[...byGroup].map(([group, added]) => `${group} ${added >= 0 ? '+' : ''}${added.toFixed(1)}`).join(', ')}`);
  process.exit(0);
}

void main();
