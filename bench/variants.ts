/**
 * The tracing setups compared by the benchmark. Each runs in a process of its own (bench/worker.ts),
 * set up before the `openai` SDK is loaded, the way an application's tracing bootstrap file would.
 * Every setup has the same SDK pipeline: a BasicTracerProvider, the AsyncLocalStorage context
 * manager, the W3C propagator, and a SimpleSpanProcessor into an exporter that only counts, so
 * that what differs is the instrumentation alone. The comparison instrumentations (4, 5) and their
 * SDK come from bench/peers/, whose @opentelemetry versions differ from the root's. The processor
 * is the compiled package (bench/compiled.ts), as an application would load it.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { compiled } from './compiled';
import type { WorkloadId } from './workloads';

/** Identifier of a variant, used on the command line and in the JSON results. */
export type VariantId = 'none' | 'undici' | 'undici+vllm' | 'undici+vllm-unmatched' | 'openinference' | 'otel-openai' | 'switchable';

/**
 * What the `switchable` worker runs, switched between batches in one process: (2), (3), or (2)
 * with a busy-wait of a known length at each span's end (the calibration of the comparison).
 */
export type SwitchMode = 'undici' | 'undici+vllm' | 'undici+busy-wait';

/** A variant as listed in the result table. */
export interface VariantInfo {
  id: VariantId;
  /** The number for it; `3u` is the processor with a `baseUrlPattern` that matches nothing. */
  number: string;
  label: string;
  /** Only these workloads (all when absent). */
  workloads?: readonly WorkloadId[];
  /** Loaded from bench/peers/ (installed by bench/setup.sh). */
  peers: boolean;
}

/** Every variant, in table order. */
export const VARIANTS: readonly VariantInfo[] = [
  { id: 'none', number: '1', label: 'no instrumentation', peers: false },
  { id: 'undici', number: '2', label: 'UndiciInstrumentation', peers: false },
  { id: 'undici+vllm', number: '3', label: 'Undici + VLLMSpanProcessor', peers: false },
  { id: 'undici+vllm-unmatched', number: '3u', label: 'Undici + VLLMSpanProcessor, URL not matched', peers: false, workloads: ['chat-2k', 'stream-100'] },
  { id: 'openinference', number: '4', label: '@arizeai/openinference-instrumentation-openai', peers: true },
  { id: 'otel-openai', number: '5', label: '@opentelemetry/instrumentation-openai', peers: true },
];

/** Folder of the comparison packages. */
export const PEERS_DIR = path.join(__dirname, 'peers');

/** True when bench/setup.sh has installed the comparison packages. */
export function peersInstalled(): boolean {
  return fs.existsSync(path.join(PEERS_DIR, 'node_modules', '@arizeai', 'openinference-instrumentation-openai'));
}

/** What a variant's spans looked like: enough to see that the instrumentation really ran. */
export interface SpanSummary {
  count: number;
  /** The most recent span: its name, attribute count and the attribute that marks it as an LLM span. */
  lastName?: string;
  lastAttributeCount?: number;
  lastKind?: string;
}

/** A variant once set up in the worker process. */
export interface ActiveVariant {
  spans(): SpanSummary;
  /** Capture records still held by the processor (variants 3 and 3u only). */
  liveCaptureCount?(): number;
  /** The `switchable` variant only: adds or removes the processor, or sets the busy-wait at each span's end. */
  switchTo?(mode: SwitchMode, busyWaitMicros?: number): void;
}

// The parts of an OpenTelemetry SDK that the setups use; the same shapes in the root and in bench/peers.
interface SdkModules {
  api: Pick<typeof import('@opentelemetry/api'), 'context' | 'propagation' | 'metrics'>;
  sdk: Pick<typeof import('@opentelemetry/sdk-trace-base'), 'BasicTracerProvider' | 'SimpleSpanProcessor'>;
  asyncHooks: Pick<typeof import('@opentelemetry/context-async-hooks'), 'AsyncLocalStorageContextManager'>;
  core: Pick<typeof import('@opentelemetry/core'), 'W3CTraceContextPropagator'>;
}

type SdkSpanProcessor = ConstructorParameters<typeof import('@opentelemetry/sdk-trace-base').BasicTracerProvider>[0] extends infer C
  ? C extends { spanProcessors?: Array<infer P> } ? P : never
  : never;
type TracerProvider = InstanceType<typeof import('@opentelemetry/sdk-trace-base').BasicTracerProvider>;

interface Instrumentation {
  setTracerProvider(provider: TracerProvider): void;
  setMeterProvider(provider: unknown): void;
}

const rootRequire = createRequire(__filename);
const peerRequire = createRequire(path.join(PEERS_DIR, 'package.json'));

function loadSdk(load: NodeJS.Require): SdkModules {
  return {
    api: load('@opentelemetry/api'),
    sdk: load('@opentelemetry/sdk-trace-base'),
    asyncHooks: load('@opentelemetry/context-async-hooks'),
    core: load('@opentelemetry/core'),
  };
}

/** Builds the common SDK pipeline; `first` processors run before the counting exporter's. */
function buildPipeline(modules: SdkModules, first: SdkSpanProcessor[] = []): { provider: TracerProvider; spans: () => SpanSummary } {
  modules.api.context.setGlobalContextManager(new modules.asyncHooks.AsyncLocalStorageContextManager().enable());
  modules.api.propagation.setGlobalPropagator(new modules.core.W3CTraceContextPropagator());
  const summary: SpanSummary = { count: 0 };
  const exporter = {
    export(spans: Array<{ name: string; attributes: Record<string, unknown> }>, done: (result: { code: number }) => void): void {
      summary.count += spans.length;
      const last = spans[spans.length - 1];
      if (last !== undefined) {
        summary.lastName = last.name;
        summary.lastAttributeCount = Object.keys(last.attributes).length;
        const kind = last.attributes['fi.span.kind'] ?? last.attributes['openinference.span.kind'] ?? last.attributes['gen_ai.operation.name'];
        summary.lastKind = kind === undefined ? undefined : String(kind);
      }
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const provider = new modules.sdk.BasicTracerProvider({ spanProcessors: [...first, new modules.sdk.SimpleSpanProcessor(exporter as never)] });
  return { provider, spans: () => ({ ...summary }) };
}

/**
 * What `registerInstrumentations` (and so NodeSDK) does: tracer and meter provider. The meter
 * provider matters: @opentelemetry/instrumentation-openai 0.21 creates its histograms only in
 * `setMeterProvider`, and without them a stream with usage throws inside the application's loop.
 */
function register(instrumentation: Instrumentation, provider: TracerProvider, modules: SdkModules): void {
  instrumentation.setTracerProvider(provider);
  instrumentation.setMeterProvider(modules.api.metrics.getMeterProvider());
}

/**
 * The benchmark's (3) pipeline for a tool that wires the processor itself (bench/paired.ts):
 * `first` processors, then the counting exporter; returns what registers the undici
 * instrumentation with it, whenever the caller has created one.
 */
export function rootPipeline(first: unknown[]): { attach(instrumentation: object): void } {
  const root = loadSdk(rootRequire);
  const { provider } = buildPipeline(root, first as SdkSpanProcessor[]);
  return { attach: instrumentation => register(instrumentation as Instrumentation, provider, root) };
}

function undiciInstrumentation(provider: TracerProvider, modules: SdkModules): void {
  const { UndiciInstrumentation } = rootRequire('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  register(new UndiciInstrumentation() as unknown as Instrumentation, provider, modules);
}

function withProcessor(options: import('../src').VLLMSpanProcessorOptions): ActiveVariant {
  const { VLLMSpanProcessor } = compiled<typeof import('../src')>('src/index');
  // Constructed before the instrumentation; either order gives the same spans (test/capture/setups.test.ts).
  const processor = new VLLMSpanProcessor(options);
  const root = loadSdk(rootRequire);
  const { provider, spans } = buildPipeline(root, [processor as unknown as SdkSpanProcessor]);
  undiciInstrumentation(provider, root);
  return { spans, liveCaptureCount: () => processor.liveCaptureCount };
}

/** Spins for `micros` of wall time on this thread: CPU time of a known amount, doing nothing else. */
export function busyWait(micros: number): void {
  const until = process.hrtime.bigint() + BigInt(Math.round(micros * 1000));
  while (process.hrtime.bigint() < until);
}

/**
 * (2) and (3) in one process: the undici instrumentation stays, a VLLMSpanProcessor is added
 * behind a delegating span processor or shut down, between batches. Same process, same JIT and
 * heap, so the difference between the two is the processor alone, without the per-process
 * luck (inlining, heap sizing) that separates two worker processes by more than 5%.
 * The busy-wait mode spends a known amount of CPU where the processor works (at the span's
 * end), so the report can show what that amount reads as on the machine at hand.
 */
function switchable(): ActiveVariant {
  const { VLLMSpanProcessor } = compiled<typeof import('../src')>('src/index');
  let processor: InstanceType<typeof VLLMSpanProcessor> | undefined;
  let busyWaitMicros = 0;
  const delegate = {
    onStart: (span: never, context: never) => processor?.onStart(span, context),
    onEnding: (span: never) => (busyWaitMicros > 0 ? busyWait(busyWaitMicros) : processor?.onEnding(span)),
    onEnd: (span: never) => processor?.onEnd(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const root = loadSdk(rootRequire);
  const { provider, spans } = buildPipeline(root, [delegate as unknown as SdkSpanProcessor]);
  undiciInstrumentation(provider, root);
  return {
    spans,
    liveCaptureCount: () => processor?.liveCaptureCount ?? 0,
    switchTo(mode, micros = 0) {
      busyWaitMicros = mode === 'undici+busy-wait' ? micros : 0;
      if (mode === 'undici+vllm' && processor === undefined) processor = new VLLMSpanProcessor({ baseUrlPattern: '127.0.0.1' });
      if (mode !== 'undici+vllm' && processor !== undefined) {
        void processor.shutdown();
        processor = undefined;
      }
    },
  };
}

/**
 * Sets a variant up in this process. Must run before anything loads `openai`.
 * `maxBodyBytes` overrides the processor's cap (memory probe only).
 */
export function activateVariant(id: VariantId, maxBodyBytes?: number): ActiveVariant {
  switch (id) {
    case 'none':
      return { spans: () => ({ count: 0 }) };
    case 'undici': {
      const root = loadSdk(rootRequire);
      const { provider, spans } = buildPipeline(root);
      undiciInstrumentation(provider, root);
      return { spans };
    }
    case 'undici+vllm':
      return withProcessor({ baseUrlPattern: '127.0.0.1', maxBodyBytes });
    case 'switchable':
      return switchable();
    case 'undici+vllm-unmatched':
      // A real application's pattern for another host: every request here takes the "not vLLM" path.
      return withProcessor({ baseUrlPattern: 'vllm.internal.example' });
    case 'openinference': {
      const peers = loadSdk(peerRequire);
      const { provider, spans } = buildPipeline(peers);
      const { OpenAIInstrumentation } = peerRequire('@arizeai/openinference-instrumentation-openai') as {
        OpenAIInstrumentation: new () => Instrumentation;
      };
      register(new OpenAIInstrumentation(), provider, peers);
      return { spans };
    }
    case 'otel-openai': {
      const peers = loadSdk(peerRequire);
      const { provider, spans } = buildPipeline(peers);
      const { OpenAIInstrumentation } = peerRequire('@opentelemetry/instrumentation-openai') as {
        OpenAIInstrumentation: new () => Instrumentation;
      };
      register(new OpenAIInstrumentation(), provider, peers);
      return { spans };
    }
  }
}

/** The worker behind the same-process comparison of (2) and (3); not a row of the main table. */
export const SWITCHABLE: VariantInfo = { id: 'switchable', number: '2/3', label: 'one process, processor switched on and off', peers: false };

/** Looks a variant up by id; throws on an unknown one (command-line typo). */
export function variantById(id: string): VariantInfo {
  const variant = [...VARIANTS, SWITCHABLE].find(v => v.id === id);
  if (variant === undefined) throw new Error(`unknown variant "${id}"; known: ${VARIANTS.map(v => v.id).join(', ')}`);
  return variant;
}
