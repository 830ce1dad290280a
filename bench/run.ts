/**
 * `npm run bench [-- options]`: the side-by-side benchmark of issue 7.
 *
 * End to end: the same client code (bench/client.ts, the real `openai` SDK) runs in one worker
 * process per variant against one vLLM-compatible server in a process of its own, so each
 * worker's CPU time (process.cpuUsage) is the client's alone. Rounds interleave the variants
 * (the order rotates every round) and the report gives medians and per-round ratios, because
 * the machine may be shared. Then the processor-only micro-benchmarks (bench/micro.ts) and a
 * memory probe, and (2) against (3) call by call (bench/paired.ts), the +5% verdict. Results: a
 * table on stdout, and bench/results/results[-quick].{json,md}.
 *
 * Options: --quick (about a minute), --rounds N, --variants a,b, --workloads a,b, --no-micro,
 * --no-e2e, --no-memory, --no-peers (skip variants 4 and 5 and their install), --paced (the
 * server writes one event per client read instead of back to back; see bench/server.ts), --no-ab
 * (skip the same-process comparison of (2) and (3) in batches), --no-paired (skip it call by call).
 */
import { spawnSync, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCompiled } from './compiled';
import type { MicroResult } from './micro';
import { ServerProcess, WorkerProcess } from './processes';
import type { MemoryResult } from './protocol';
import type { Pacing } from './server';
import { PAIRED_SETTINGS } from './paired';
import {
  checkTargets,
  renderMarkdown,
  renderText,
  summarizeE2e,
  summarizePaired,
  summarizeSwitched,
  type MemoryProbe,
  type PairedSamples,
  type RawResults,
  type SpanCheck,
} from './report';
import { median } from './stats';
import { peersInstalled, VARIANTS, variantById, type SwitchMode, type VariantId, type VariantInfo } from './variants';
import { WORKLOADS, workloadById, type Workload, type WorkloadId } from './workloads';

interface Options {
  quick: boolean;
  rounds: number;
  variants: VariantInfo[];
  workloads: Workload[];
  micro: boolean;
  e2e: boolean;
  pacing: Pacing;
  /** Also run (2) and (3) in one process, switching the processor (the precise end-to-end check of +5%). */
  ab: boolean;
  memory: boolean;
  peers: boolean;
  /** (2) against (3) call by call, with the floor and the calibration (bench/paired.ts). */
  paired: boolean;
}

function parseOptions(argv: string[]): Options {
  const valueOf = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const quick = argv.includes('--quick');
  const rounds = Number(valueOf('--rounds') ?? (quick ? 3 : 10));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a positive integer');
  const list = (name: string) => valueOf(name)?.split(',').map(item => item.trim()).filter(Boolean);
  const variants = list('--variants')?.map(variantById) ?? [...VARIANTS];
  // Every ratio needs its baselines.
  for (const baseline of ['none', 'undici'] as const) if (!variants.some(v => v.id === baseline)) variants.unshift(variantById(baseline));
  return {
    quick,
    rounds,
    variants: VARIANTS.filter(v => variants.includes(v)),
    workloads: list('--workloads')?.map(workloadById) ?? [...WORKLOADS],
    micro: !argv.includes('--no-micro'),
    pacing: argv.includes('--paced') ? 'paced' : 'coalesced',
    ab: !argv.includes('--no-ab') && variants.some(v => v.id === 'undici+vllm'),
    e2e: !argv.includes('--no-e2e'),
    memory: !argv.includes('--no-memory') && !argv.includes('--no-e2e'),
    peers: !argv.includes('--no-peers'),
    paired: !argv.includes('--no-paired'),
  };
}

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Installs bench/peers (a no-op when already installed); returns why it failed, if it did. */
function setupPeers(): string | undefined {
  const setup = spawnSync('bash', [path.join(__dirname, 'setup.sh')], { stdio: 'inherit' });
  if (setup.status === 0 && peersInstalled()) return undefined;
  return `bench/setup.sh failed (exit ${setup.status}); run it by hand to see why`;
}

/** Runs a benchmark script in a process of its own and resolves with the one message it sends back. */
function runInChild<Result>(script: string, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, script), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: Result | undefined;
    child.on('message', message => (result = message as Result));
    child.on('exit', code => (result !== undefined ? resolve(result) : reject(new Error(`bench/${script} exited with code ${code}`))));
  });
}

/** A variant's position in round `round`: the order rotates so that no variant always runs first or after the same one. */
function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

async function runEndToEnd(options: Options, raw: RawResults): Promise<void> {
  const server = await ServerProcess.start(options.pacing);
  const workers = new Map<VariantId, WorkerProcess>();
  try {
    for (const variant of options.variants) {
      progress(`starting worker (${variant.number}) ${variant.label}`);
      workers.set(variant.id, await WorkerProcess.start(variant.id, server.baseUrl));
    }
    // The same-process A/B of (2) and (3), on the workloads the +5% target names.
    const abWorkloads = options.workloads.filter(w => AB_WORKLOADS.includes(w.id));
    const ab = options.ab && abWorkloads.length > 0 ? await WorkerProcess.start('switchable', server.baseUrl) : undefined;
    if (ab !== undefined) workers.set('switchable', ab);
    const appliesTo = (variant: VariantInfo, workload: Workload) => variant.workloads === undefined || variant.workloads.includes(workload.id);
    const batchOf = (workload: Workload) => (options.quick ? workload.quickBatch : workload.batch);
    const warmUpOf = (workload: Workload) => (options.quick ? workload.quickBatch : workload.warmUp);
    // Warm-up: JIT, connection pool and caches of every worker, on every workload, before anything counts.
    progress('warming up');
    const sent = new Map<VariantId, number>();
    for (const workload of options.workloads) {
      for (const variant of options.variants) {
        if (!appliesTo(variant, workload)) continue;
        await workers.get(variant.id)!.request({ type: 'run', workload: workload.id, requests: warmUpOf(workload) }, 'batch');
        sent.set(variant.id, (sent.get(variant.id) ?? 0) + warmUpOf(workload));
      }
    }
    if (ab !== undefined) {
      for (const workload of abWorkloads) {
        const busyWait = busyWaitMicros(raw, workload.id);
        for (const mode of switchModes(busyWait)) {
          await ab.request({ type: 'run', workload: workload.id, requests: warmUpOf(workload), mode, busyWaitMicros: busyWait }, 'batch');
        }
      }
    }
    const lastSpans = new Map<VariantId, SpanCheck>();
    for (let round = 0; round < options.rounds; round++) {
      progress(`round ${round + 1} of ${options.rounds}`);
      for (const workload of options.workloads) {
        const byVariant = (raw.e2e[workload.id] ??= {});
        for (const variant of roundOrder(options.variants, round)) {
          if (!appliesTo(variant, workload)) continue;
          const requests = batchOf(workload);
          const result = await workers.get(variant.id)!.request({ type: 'run', workload: workload.id, requests }, 'batch');
          const expected = requests * workload.maxTokens * 4;
          if (result.characters !== expected) throw new Error(`${variant.id} on ${workload.id}: got ${result.characters} characters of content, expected ${expected}`);
          (byVariant[variant.id] ??= [])[round] = { cpuMicros: result.cpuMicros / requests, wallMs: result.wallMs / requests };
          sent.set(variant.id, (sent.get(variant.id) ?? 0) + requests);
          lastSpans.set(variant.id, {
            variant: variant.id,
            spansPerRequest: result.spans.count / sent.get(variant.id)!,
            lastName: result.spans.lastName,
            lastAttributeCount: result.spans.lastAttributeCount,
            lastKind: result.spans.lastKind,
          });
          if (result.liveCaptureCount !== undefined && result.liveCaptureCount !== 0) {
            throw new Error(`${variant.id}: ${result.liveCaptureCount} capture records still live after a batch`);
          }
        }
      }
      if (ab !== undefined) await switchedRound(ab, abWorkloads, round, batchOf, raw);
    }
    raw.spanChecks = options.variants.map(v => lastSpans.get(v.id)).filter((c): c is SpanCheck => c !== undefined);
    if (options.memory) raw.memory = await probeMemory(server, workers);
  } finally {
    for (const worker of workers.values()) await worker.stop();
    await server.stop();
  }
}

/** Workloads of the same-process A/B: those the +5% target names. */
const AB_WORKLOADS: readonly WorkloadId[] = ['chat-2k', 'stream-100'];

/** The modes of the same-process A/B: the calibration only with a busy-wait to run. */
function switchModes(busyWait: number | undefined): SwitchMode[] {
  return busyWait === undefined ? ['undici', 'undici+vllm'] : ['undici', 'undici+vllm', 'undici+busy-wait'];
}

/**
 * The busy-wait of the calibration: the processor's own CPU per call of this workload in the
 * micro-benchmark (its hot-loop cost), or none when the micro-benchmark did not run.
 */
function busyWaitMicros(raw: RawResults, workload: WorkloadId): number | undefined {
  const body = raw.micro?.bodies.find(b => b.workload === workload);
  return body === undefined ? undefined : body.processorNs / 1000;
}

/**
 * One round of the same-process A/B: (2), (3) and (2) + busy-wait, each twice in mirrored order
 * (A B C C B A, the order rotating every round), each mode's two batches averaged.
 */
async function switchedRound(worker: WorkerProcess, workloads: Workload[], round: number, batchOf: (w: Workload) => number, raw: RawResults): Promise<void> {
  for (const workload of workloads) {
    const busyWait = busyWaitMicros(raw, workload.id);
    const modes = roundOrder(switchModes(busyWait), round);
    const totals = new Map(modes.map(mode => [mode, { cpuMicros: 0, wallMs: 0 }]));
    const requests = batchOf(workload);
    for (const mode of [...modes, ...[...modes].reverse()]) {
      const result = await worker.request({ type: 'run', workload: workload.id, requests, mode, busyWaitMicros: busyWait }, 'batch');
      const total = totals.get(mode)!;
      total.cpuMicros += result.cpuMicros / requests / 2;
      total.wallMs += result.wallMs / requests / 2;
    }
    const calibration = totals.get('undici+busy-wait');
    (raw.switched[workload.id] ??= [])[round] = {
      undici: totals.get('undici')!,
      processor: totals.get('undici+vllm')!,
      ...(calibration === undefined || busyWait === undefined ? {} : { busyWait: { ...calibration, micros: busyWait } }),
    };
  }
}

const SMALL_CAP = 256 * 1024;
const MEMORY_REPEATS = 3;

/** The probe of median growth mid-stream (V8's heap moves by a megabyte or so between full GCs), with the worst live counts. */
function medianProbe(results: MemoryResult[]): MemoryResult {
  const sorted = [...results].sort((a, b) => a.midBytes - a.baselineBytes - (b.midBytes - b.baselineBytes));
  const middle = sorted[sorted.length >> 1];
  const after = median(results.map(r => r.afterBytes - r.baselineBytes));
  const worst = (pick: (r: MemoryResult) => number | undefined) => (middle.liveAfter === undefined ? undefined : Math.max(...results.map(r => pick(r) ?? 0)));
  return { ...middle, afterBytes: middle.baselineBytes + after, liveMid: worst(r => r.liveMid), livePeak: worst(r => r.livePeak), liveAfter: worst(r => r.liveAfter) };
}

/** Heap held by an in-flight 10,000-chunk stream (default and small cap), and capture records across 16 concurrent streams. */
async function probeMemory(server: ServerProcess, workers: Map<VariantId, WorkerProcess>): Promise<MemoryProbe[]> {
  progress('memory probe');
  const probes: MemoryProbe[] = [];
  const probe = async (setup: string, worker: WorkerProcess, workload: 'stream-10k' | 'stream-1k-x16', probeAt: number) => {
    const results: MemoryResult[] = [];
    for (let i = 0; i < MEMORY_REPEATS; i++) results.push(await worker.request({ type: 'memory', workload, probeAt }, 'memory'));
    probes.push({ setup, workload, result: medianProbe(results) });
  };
  const undici = workers.get('undici');
  const processor = workers.get('undici+vllm');
  if (undici !== undefined) await probe('(2) UndiciInstrumentation', undici, 'stream-10k', 9000);
  if (processor === undefined) return probes;
  await probe('(3) + VLLMSpanProcessor, default cap (4 MiB)', processor, 'stream-10k', 9000);
  const capped = await WorkerProcess.start('undici+vllm', server.baseUrl, SMALL_CAP);
  try {
    // The same warm state as the others: its code paths run before anything is measured.
    await capped.request({ type: 'run', workload: 'stream-10k', requests: 2 }, 'batch');
    await probe(`(3) + VLLMSpanProcessor, maxBodyBytes ${SMALL_CAP / 1024} KiB`, capped, 'stream-10k', 9000);
  } finally {
    await capped.stop();
  }
  await probe('(3) + VLLMSpanProcessor, default cap (4 MiB)', processor, 'stream-1k-x16', 500);
  return probes;
}

function machineInfo(command: string): RawResults['machine'] {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageStart: os.loadavg()[0],
    loadAverageEnd: Number.NaN,
    command,
    durationSeconds: 0,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  const started = Date.now();
  const raw: RawResults = {
    machine: machineInfo(['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ')),
    rounds: options.rounds,
    quick: options.quick,
    pacing: options.pacing,
    e2e: {},
    switched: {},
    paired: {},
    spanChecks: [],
    memory: [],
    skipped: [],
  };
  if (options.e2e && options.variants.some(v => v.peers)) {
    const failure = options.peers ? setupPeers() : 'skipped with --no-peers';
    if (failure !== undefined) {
      for (const variant of options.variants.filter(v => v.peers)) raw.skipped.push({ variant: variant.id, reason: failure });
      options.variants = options.variants.filter(v => !v.peers);
    }
  }
  progress('compiling src/ (the package as it ships)');
  buildCompiled();
  if (options.micro) {
    progress('processor micro-benchmarks');
    raw.micro = await runInChild<MicroResult>('micro.ts', options.quick ? ['--quick'] : []);
  }
  if (options.e2e) await runEndToEnd(options, raw);
  if (options.paired) {
    for (const settings of PAIRED_SETTINGS[options.quick ? 'quick' : 'full'].filter(s => options.workloads.some(w => w.id === s.workload))) {
      progress(`call by call: ${settings.workload}, ${settings.rounds} rounds after ${settings.warmUpRounds} to warm up`);
      const args = [settings.workload, settings.rounds, settings.busyWaitMicros, settings.warmUpRounds].map(String);
      raw.paired[settings.workload] = await runInChild<PairedSamples>('paired.ts', args);
    }
  }
  raw.machine.loadAverageEnd = os.loadavg()[0];
  raw.machine.durationSeconds = (Date.now() - started) / 1000;

  const e2e = summarizeE2e(raw.e2e);
  const switched = summarizeSwitched(raw.switched);
  const paired = summarizePaired(raw.paired);
  const summary = { e2e, switched, paired, targets: checkTargets({ e2e, switched, paired }, raw.micro) };
  process.stdout.write(`\n${renderText(raw, summary)}`);
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const name = options.quick ? 'results-quick' : 'results';
  fs.writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify({ summary, raw }, null, 2) + '\n');
  fs.writeFileSync(path.join(resultsDir, `${name}.md`), renderMarkdown(raw, summary));
  progress(`wrote bench/results/${name}.json and .md in ${Math.round(raw.machine.durationSeconds)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
