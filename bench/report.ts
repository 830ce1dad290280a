/** Turns the raw measurements of a run into the summary, the printed tables and the Markdown file. */
import type { MicroResult } from './micro';
import type { MemoryResult } from './protocol';
import type { Pacing } from './server';
import { markdownTable, meanWithInterval, median, num, pairedRatios, percentChange, percentRange, quantile, textTable, times } from './stats';
import { VARIANTS, type VariantId, type VariantInfo } from './variants';
import { WORKLOADS, type WorkloadId } from './workloads';

/** Where and how the run happened. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  date: string;
  /** 1-minute load average at the start and the end: the other work on the machine. */
  loadAverageStart: number;
  loadAverageEnd: number;
  command: string;
  durationSeconds: number;
}

/** One measured batch, per request. */
export interface Sample {
  cpuMicros: number;
  wallMs: number;
}

/** samples[workload][variant][round]; a missing round (variant not run) is undefined. */
export type E2eSamples = Partial<Record<WorkloadId, Partial<Record<VariantId, Array<Sample | undefined>>>>>;

/** One round of the same-process A/B, per request. */
export interface SwitchedSample {
  undici: Sample;
  processor: Sample;
  /** (2) with a busy-wait of `micros` at each span's end: what a known amount of CPU reads as. */
  busyWait?: Sample & { micros: number };
}

/** switched[workload][round]. */
export type SwitchedSamples = Partial<Record<WorkloadId, Array<SwitchedSample | undefined>>>;

/** The same-process comparison of one workload. */
export interface SwitchedCell {
  undiciCpuMicros: number;
  processorCpuMicros: number;
  /** Median of the per-round ratios (3) / (2). */
  ratio: number;
  quartiles: [number, number];
  /** The calibration: a busy-wait of the processor's hot-loop cost, as a ratio to (2) like `ratio`. */
  busyWait?: { micros: number; ratio: number; quartiles: [number, number] };
}

/** The modes bench/paired.ts measures call by call against (2). */
export const PAIRED_MODES = ['processor', 'floor', 'busyWait'] as const;
export type PairedMode = (typeof PAIRED_MODES)[number];

/** How one workload is measured call by call (bench/paired.ts). */
export interface PairedSettings {
  workload: WorkloadId;
  rounds: number;
  /** Rounds made first and not counted: the processor's code runs once per call, so V8 optimises it late. */
  warmUpRounds: number;
  /** The calibration: (2) with a busy-wait this long at each span's end. */
  busyWaitMicros: number;
}

/** Every call's client CPU in µs, by mode (`undici` is (2)), in round order. */
export interface PairedSamples extends PairedSettings {
  cpuMicros: Record<'undici' | PairedMode, number[]>;
}

/** What one mode adds to a call over (2), from the per-round differences. */
export interface AddedCpu {
  medianMicros: number;
  quartiles: [number, number];
  meanMicros: number;
  /** Half-width of the mean's 95% interval. */
  meanHalfWidthMicros: number;
}

/** The call-by-call comparison of one workload. */
export interface PairedCell extends PairedSettings {
  undiciMedianMicros: number;
  added: Record<PairedMode, AddedCpu>;
}

/** What each variant's spans looked like (from its last batch). */
export interface SpanCheck {
  variant: VariantId;
  spansPerRequest: number;
  lastName?: string;
  lastAttributeCount?: number;
  lastKind?: string;
}

/** A memory probe of one setup. */
export interface MemoryProbe {
  setup: string;
  workload: WorkloadId;
  result: MemoryResult;
}

/** Everything a run measured. */
export interface RawResults {
  machine: MachineInfo;
  rounds: number;
  quick: boolean;
  /** How the server wrote streams (bench/server.ts). */
  pacing: Pacing;
  e2e: E2eSamples;
  /** (2) and (3) in one process, the processor switched on and off. */
  switched: SwitchedSamples;
  /** (2), (3), the floor and the calibration call by call (bench/paired.ts), by workload. */
  paired: Partial<Record<WorkloadId, PairedSamples>>;
  spanChecks: SpanCheck[];
  memory: MemoryProbe[];
  micro?: MicroResult;
  /** Variants that could not run, and why. */
  skipped: Array<{ variant: VariantId; reason: string }>;
}

/** One cell of the end-to-end table. */
export interface E2eCell {
  cpuMicrosPerRequest: number;
  requestsPerSecond: number;
  /** Median of the per-round ratios to (1) no instrumentation. */
  ratioToNone: number;
  /** Median of the per-round ratios to (2) UndiciInstrumentation alone (variants 3 and 3u). */
  ratioToUndici?: number;
  /** First and third quartiles of those per-round ratios: the noise of the machine. */
  ratioToUndiciQuartiles?: [number, number];
}

/** The figures the issue's targets are about, each with its verdict. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** The summary written to results/*.json (with the raw samples beside it). */
export interface Summary {
  e2e: Partial<Record<WorkloadId, Partial<Record<VariantId, E2eCell>>>>;
  switched: Partial<Record<WorkloadId, SwitchedCell>>;
  paired: Partial<Record<WorkloadId, PairedCell>>;
  targets: TargetCheck[];
}

function perRequestCpu(samples: Array<Sample | undefined> | undefined): Array<number | undefined> {
  return (samples ?? []).map(sample => sample?.cpuMicros);
}

/** Medians and paired ratios of every workload × variant. */
export function summarizeE2e(e2e: E2eSamples): Summary['e2e'] {
  const summary: Summary['e2e'] = {};
  for (const workload of WORKLOADS) {
    const byVariant = e2e[workload.id];
    if (byVariant === undefined) continue;
    const none = perRequestCpu(byVariant.none);
    const undici = perRequestCpu(byVariant.undici);
    const cells: Partial<Record<VariantId, E2eCell>> = {};
    for (const variant of VARIANTS) {
      const samples = (byVariant[variant.id] ?? []).filter((s): s is Sample => s !== undefined);
      if (samples.length === 0) continue;
      const cpu = perRequestCpu(byVariant[variant.id]);
      const toUndici = variant.id.startsWith('undici+vllm') ? pairedRatios(cpu, undici) : undefined;
      cells[variant.id] = {
        cpuMicrosPerRequest: median(samples.map(s => s.cpuMicros)),
        requestsPerSecond: 1000 / median(samples.map(s => s.wallMs)),
        ratioToNone: median(pairedRatios(cpu, none)),
        ratioToUndici: toUndici === undefined ? undefined : median(toUndici),
        ratioToUndiciQuartiles: toUndici === undefined ? undefined : [quantile(toUndici, 0.25), quantile(toUndici, 0.75)],
      };
    }
    summary[workload.id] = cells;
  }
  return summary;
}

/** Medians and per-round ratios of the same-process A/B. */
export function summarizeSwitched(switched: SwitchedSamples): Summary['switched'] {
  const summary: Summary['switched'] = {};
  for (const workload of WORKLOADS) {
    const rounds = (switched[workload.id] ?? []).filter((s): s is SwitchedSample => s !== undefined);
    if (rounds.length === 0) continue;
    const ratios = rounds.map(r => r.processor.cpuMicros / r.undici.cpuMicros);
    const calibrated = rounds.filter(r => r.busyWait !== undefined);
    const busyWaitRatios = calibrated.map(r => r.busyWait!.cpuMicros / r.undici.cpuMicros);
    summary[workload.id] = {
      undiciCpuMicros: median(rounds.map(r => r.undici.cpuMicros)),
      processorCpuMicros: median(rounds.map(r => r.processor.cpuMicros)),
      ratio: median(ratios),
      quartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
      ...(calibrated.length === 0
        ? {}
        : {
            busyWait: {
              micros: median(calibrated.map(r => r.busyWait!.micros)),
              ratio: median(busyWaitRatios),
              quartiles: [quantile(busyWaitRatios, 0.25), quantile(busyWaitRatios, 0.75)] as [number, number],
            },
          }),
    };
  }
  return summary;
}

/** Medians, quartiles and means of the per-round differences to (2), per mode. */
export function summarizePaired(paired: RawResults['paired']): Summary['paired'] {
  const summary: Summary['paired'] = {};
  for (const workload of WORKLOADS) {
    const samples = paired[workload.id];
    if (samples === undefined) continue;
    const { cpuMicros, ...settings } = samples;
    const addedBy = (mode: PairedMode): AddedCpu => {
      const differences = cpuMicros[mode].map((value, i) => value - cpuMicros.undici[i]);
      const mean = meanWithInterval(differences);
      return {
        medianMicros: median(differences),
        quartiles: [quantile(differences, 0.25), quantile(differences, 0.75)],
        meanMicros: mean.mean,
        meanHalfWidthMicros: mean.halfWidth,
      };
    };
    summary[workload.id] = {
      ...settings,
      undiciMedianMicros: median(cpuMicros.undici),
      added: Object.fromEntries(PAIRED_MODES.map(mode => [mode, addedBy(mode)])) as Record<PairedMode, AddedCpu>,
    };
  }
  return summary;
}

const LINEAR_TOLERANCE = 1.25;
const PER_BYTE_TARGET = 2;
const OVERHEAD_TARGET = 1.05;

/** The issue's targets against what was measured. */
export function checkTargets({ e2e, switched, paired }: Omit<Summary, 'targets'>, micro: MicroResult | undefined): TargetCheck[] {
  const targets: TargetCheck[] = [];
  for (const workload of ['chat-2k', 'stream-100'] as const) {
    const callByCall = paired[workload];
    const callByCallRatio = callByCall === undefined ? undefined : 1 + callByCall.added.processor.medianMicros / callByCall.undiciMedianMicros;
    const sameProcess = switched[workload];
    const separate = e2e[workload]?.['undici+vllm']?.ratioToUndici;
    const body = micro?.bodies.find(b => b.workload === workload);
    const undiciCpu = sameProcess?.undiciCpuMicros ?? e2e[workload]?.undici?.cpuMicrosPerRequest;
    // The processor's own CPU per call (micro-benchmark) over the client's CPU per call with (2).
    const fromMicro = body !== undefined && undiciCpu !== undefined ? 1 + body.processorNs / 1000 / undiciCpu : undefined;
    const verdictRatio = callByCallRatio ?? sameProcess?.ratio ?? fromMicro;
    if (verdictRatio === undefined) continue;
    const label = WORKLOADS.find(w => w.id === workload)?.label;
    const parts = [
      callByCall === undefined || callByCallRatio === undefined
        ? undefined
        : `${percentChange(callByCallRatio)} call by call (the floor ${percentChange(1 + callByCall.added.floor.medianMicros / callByCall.undiciMedianMicros)}; ` +
          `a busy-wait of ${Math.round(callByCall.busyWaitMicros)} µs read ${Math.round(callByCall.added.busyWait.medianMicros)} µs)`,
      sameProcess === undefined ? undefined : `${percentChange(sameProcess.ratio)} same process in batches (quartiles ${percentRange(...sameProcess.quartiles)})`,
      fromMicro === undefined ? undefined : `${percentChange(fromMicro)} micro-benchmark`,
      sameProcess?.busyWait === undefined ? undefined : `a busy-wait of that much CPU read ${percentChange(sameProcess.busyWait.ratio)}`,
      separate === undefined ? undefined : `${percentChange(separate)} separate processes`,
    ].filter(Boolean);
    targets.push({ target: `(3) over (2), ${label}: at most +5% client CPU`, measured: parts.join('; '), met: verdictRatio <= OVERHEAD_TARGET });
  }
  if (micro !== undefined) {
    const streams = micro.bodies.filter(b => b.workload !== 'chat-2k');
    for (const body of streams) {
      const ratio = body.processorNs / body.floorNs;
      targets.push({
        target: `per byte, ${body.workload}: processor at most 2x JSON.parse of the events`,
        measured: `${times(ratio)} (${num(body.processorNs / body.responseBytes)} vs ${num(body.floorNs / body.responseBytes)} ns/B)`,
        met: ratio <= PER_BYTE_TARGET,
      });
    }
    const smallest = streams[0];
    const largest = streams[streams.length - 1];
    if (smallest !== undefined && largest !== undefined && smallest !== largest) {
      const growth = largest.processorNs / smallest.processorNs;
      const bytes = largest.responseBytes / smallest.responseBytes;
      targets.push({
        target: `linear: ${largest.workload} costs about ${Math.round(bytes)}x ${smallest.workload} (its size ratio)`,
        measured: `${times(growth)} (per byte ${times(growth / bytes)} of the small stream's)`,
        met: growth / bytes <= LINEAR_TOLERANCE,
      });
    }
    const worstUntraced = Math.max(...micro.untraced.map(u => u.addedNs));
    const undiciChat = e2e['chat-2k']?.undici?.cpuMicrosPerRequest;
    targets.push({
      target: 'requests not traced: no measurable cost',
      measured:
        `at most ${num(worstUntraced / 1000)} µs per request` +
        (undiciChat === undefined ? '' : ` (${((worstUntraced / 10 / undiciChat)).toFixed(2)}% of a non-stream chat call's client CPU)`),
      met: undiciChat === undefined ? worstUntraced < 10_000 : worstUntraced / 1000 / undiciChat < 0.01,
    });
  }
  return targets;
}

function variantOf(id: VariantId): VariantInfo {
  return VARIANTS.find(v => v.id === id)!;
}

function e2eRows(e2e: Summary['e2e']): { header: string[]; rows: string[][] } {
  const header = ['workload', 'variant', 'CPU µs/req', 'req/s', 'CPU vs (1)', 'CPU vs (2)', 'quartiles vs (2)'];
  const rows: string[][] = [];
  for (const workload of WORKLOADS) {
    const cells = e2e[workload.id];
    if (cells === undefined) continue;
    for (const variant of VARIANTS) {
      const cell = cells[variant.id];
      if (cell === undefined) continue;
      rows.push([
        rows.length === 0 || rows[rows.length - 1][0] !== workload.label ? workload.label : '',
        `(${variant.number}) ${variant.label}`,
        Math.round(cell.cpuMicrosPerRequest).toLocaleString('en-US'),
        cell.requestsPerSecond.toFixed(cell.requestsPerSecond < 10 ? 2 : 1),
        variant.id === 'none' ? '1' : times(cell.ratioToNone),
        cell.ratioToUndici === undefined ? '' : percentChange(cell.ratioToUndici),
        cell.ratioToUndiciQuartiles === undefined ? '' : percentRange(...cell.ratioToUndiciQuartiles),
      ]);
    }
  }
  // The workload label only on its first row.
  let previous = '';
  for (const row of rows) {
    if (row[0] === previous) row[0] = '';
    else if (row[0] !== '') previous = row[0];
  }
  return { header, rows };
}

function pairedRows(paired: Summary['paired']): { header: string[]; rows: string[][] } {
  const µs = (micros: number) => Math.round(micros).toLocaleString('en-US');
  const share = (micros: number, of: number) => `${µs(micros)} µs = ${percentChange(1 + micros / of)}`;
  return {
    header: ['workload', 'rounds (warm-up)', '(2) median call', '(3) adds', 'quartiles µs', '(3) adds, mean ± 95%', 'the floor adds', 'busy-wait µs', 'it reads'],
    rows: WORKLOADS.filter(w => paired[w.id] !== undefined).map(w => {
      const cell = paired[w.id]!;
      const { processor, floor, busyWait } = cell.added;
      return [
        w.label,
        `${cell.rounds} (${cell.warmUpRounds})`,
        `${µs(cell.undiciMedianMicros)} µs`,
        share(processor.medianMicros, cell.undiciMedianMicros),
        `${µs(processor.quartiles[0])}..${µs(processor.quartiles[1])}`,
        `${µs(processor.meanMicros)} ± ${µs(processor.meanHalfWidthMicros)} µs`,
        share(floor.medianMicros, cell.undiciMedianMicros),
        µs(cell.busyWaitMicros),
        `${µs(busyWait.medianMicros)} µs`,
      ];
    }),
  };
}

const PAIRED_TITLE = 'Call by call (bench/paired.ts): client CPU each mode adds to a call over (2), median of per-round differences';
const PAIRED_NOTE =
  'One process switches before every call between (2), (3), the floor and (2) + busy-wait, in rounds whose order rotates. ' +
  'The floor (bench/floor-rewrite.ts) is the least a rewrite in onEnding could do: the processor\'s capture, the bodies decoded and ' +
  'looked at once, the same attributes set, no validation, mapping or policy. The busy-wait is the calibration: it should read as its length.';

/** The call-by-call table alone, for bench/paired.ts run by hand. */
export function renderPaired(paired: Summary['paired']): string {
  const rows = pairedRows(paired);
  return `${PAIRED_TITLE}\n${textTable(rows.header, rows.rows)}\n\n${PAIRED_NOTE}`;
}

function microRows(micro: MicroResult): { header: string[]; rows: string[][] } {
  const header = ['body', 'bytes', 'events', 'floor µs', 'processor µs', 'floor ns/B', 'processor ns/B', 'processor / floor'];
  const rows = micro.bodies.map(body => [
    body.workload,
    body.responseBytes.toLocaleString('en-US'),
    body.events.toLocaleString('en-US'),
    num(body.floorNs / 1000),
    num(body.processorNs / 1000),
    num(body.floorNs / body.responseBytes),
    num(body.processorNs / body.responseBytes),
    times(body.processorNs / body.floorNs),
  ]);
  return { header, rows };
}

function stageRows(micro: MicroResult): { header: string[]; rows: string[][] } {
  const header = ['body', 'capture', 'decode', '+ SSE framing', '+ JSON.parse', '+ validate', 'interpretExchange', 'whole call'];
  const rows = micro.bodies.map(body => [
    body.workload,
    ...(['capture', 'decode', 'frame', 'parse', 'validate', 'interpret'] as const).map(stage => num(body.stagesNs[stage] / 1000)),
    num(body.processorNs / 1000),
  ]);
  return { header, rows };
}

function untracedRows(micro: MicroResult): { header: string[]; rows: string[][] } {
  return {
    header: ['request the processor leaves alone', 'without ns', 'with ns', 'added ns'],
    rows: micro.untraced.map(u => [u.case, Math.round(u.baselineNs).toString(), Math.round(u.withProcessorNs).toString(), Math.round(u.addedNs).toString()]),
  };
}

function memoryRows(memory: MemoryProbe[]): { header: string[]; rows: string[][] } {
  const kib = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
  return {
    header: ['setup', 'workload', 'held mid-stream', 'held after', 'live records mid / peak / after'],
    rows: memory.map(({ setup, workload, result }) => [
      setup,
      workload,
      kib(result.midBytes - result.baselineBytes),
      kib(result.afterBytes - result.baselineBytes),
      result.liveAfter === undefined ? 'n/a' : `${result.liveMid ?? 'n/a'} / ${result.livePeak ?? 'n/a'} / ${result.liveAfter}`,
    ]),
  };
}

function spanRows(checks: SpanCheck[]): { header: string[]; rows: string[][] } {
  return {
    header: ['variant', 'spans/req', 'span name', 'attributes', 'kind'],
    rows: checks.map(check => [
      `(${variantOf(check.variant).number}) ${variantOf(check.variant).label}`,
      check.spansPerRequest.toFixed(2),
      check.lastName ?? '',
      check.lastAttributeCount?.toString() ?? '',
      check.lastKind ?? '',
    ]),
  };
}

function machineLine(machine: MachineInfo, raw: RawResults): string {
  return (
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}), ${machine.date}; ` +
    `load average ${machine.loadAverageStart.toFixed(2)} at start, ${machine.loadAverageEnd.toFixed(2)} at end; ` +
    `${raw.rounds} rounds${raw.quick ? ' (--quick)' : ''}, ${Math.round(machine.durationSeconds)} s`
  );
}

type Table = (header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftColumns?: number) => string;

function render(raw: RawResults, summary: Summary, table: Table, heading: (text: string) => string): string {
  const parts: string[] = [];
  const add = (title: string, content: string) => parts.push(heading(title), content, '');
  parts.push(`Machine: ${machineLine(raw.machine, raw)}`, `Command: ${raw.machine.command}`, '');
  const e2e = e2eRows(summary.e2e);
  if (e2e.rows.length > 0) {
    add(
      'End to end: client process CPU per request (median of rounds), openai SDK v6 → local vLLM-compatible server',
      table(e2e.header, e2e.rows, 2) +
        `\n\nRatios are medians of per-round ratios (rounds interleave the variants); the quartiles show how far rounds disagree. Server pacing: ${raw.pacing}.`,
    );
  }
  const switchedRows = WORKLOADS.filter(w => summary.switched[w.id] !== undefined).map(w => {
    const cell = summary.switched[w.id]!;
    const calibration = cell.busyWait === undefined ? ['', '', ''] : [num(cell.busyWait.micros), percentChange(cell.busyWait.ratio), percentRange(...cell.busyWait.quartiles)];
    return [w.label, Math.round(cell.undiciCpuMicros).toLocaleString('en-US'), Math.round(cell.processorCpuMicros).toLocaleString('en-US'), percentChange(cell.ratio), percentRange(...cell.quartiles), ...calibration];
  });
  if (switchedRows.length > 0) {
    add(
      'Same process, switched between batches (A B C C B A each round, the order rotating): client CPU µs per request',
      table(['workload', '(2) Undici', '(3) + processor', '(3) vs (2)', 'quartiles', 'busy-wait µs', '(2) + busy-wait vs (2)', 'quartiles'], switchedRows) +
        '\n\nOne worker process runs all three, so JIT and heap are shared and the difference is the processor alone. ' +
        'The calibration: (2) with a busy-wait, at each span\'s end, as long as the processor\'s own CPU per call in the ' +
        'micro-benchmark (hot loop): what that much CPU reads as here. The processor reading far above it means that its code costs more ' +
        'between HTTP calls (caches cold after the HTTP and SDK work) than in a loop.',
    );
  }
  const paired = pairedRows(summary.paired);
  if (paired.rows.length > 0) add(PAIRED_TITLE, table(paired.header, paired.rows) + `\n\n${PAIRED_NOTE}`);
  if (raw.spanChecks.length > 0) {
    const spans = spanRows(raw.spanChecks);
    add('What each variant recorded (last span of its last batch)', table(spans.header, spans.rows));
  }
  if (raw.micro !== undefined) {
    const micro = microRows(raw.micro);
    add(
      "Processor only: CPU per call (what VLLMSpanProcessor adds to one traced call) vs the floor (JSON.parse of each event)",
      table(micro.header, micro.rows),
    );
    const stages = stageRows(raw.micro);
    add('Where the time goes, µs per body (internal stages, cumulative from decode to interpretExchange)', table(stages.header, stages.rows));
    const untraced = untracedRows(raw.micro);
    add('Requests the processor does not trace: CPU per request', table(untraced.header, untraced.rows));
    parts.push(`Schema compilation (once per process, at the first processor): ${num(raw.micro.schemaCompileMs)} ms`, '');
  }
  if (raw.memory.length > 0) {
    const memory = memoryRows(raw.memory);
    add(
      'Memory: ArrayBuffers (where Buffers, so captured bytes, live) after a full GC, relative to before the call; median of 3',
      table(memory.header, memory.rows),
    );
  }
  if (summary.targets.length > 0) {
    add(
      'Targets',
      table(['target', 'measured', 'verdict'], summary.targets.map(t => [t.target, t.measured, t.met ? 'met' : 'MISSED']), 2) +
        '\n\nThe +5% verdicts use the call-by-call figure, whose calibration holds (else the same-process one in batches, else the' +
        " micro-benchmark's: processor CPU per call over (2)'s client CPU per call); separate processes differ by more than 5% by" +
        ' themselves (JIT, heap sizing).',
    );
  }
  for (const skipped of raw.skipped) parts.push(`Not run: (${variantOf(skipped.variant).number}) ${variantOf(skipped.variant).label}: ${skipped.reason}`);
  return parts.join('\n').trimEnd() + '\n';
}

/** The tables for the terminal. */
export function renderText(raw: RawResults, summary: Summary): string {
  return render(raw, summary, textTable, title => `== ${title}`);
}

/** The same as Markdown, for bench/results/*.md. */
export function renderMarkdown(raw: RawResults, summary: Summary): string {
  return `# VLLMSpanProcessor benchmark\n\n${render(raw, summary, markdownTable, title => `### ${title}\n`)}`;
}
