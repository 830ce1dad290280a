/**
 * Wires a real OpenTelemetry pipeline the way a user of each SDK line does, from the cell's own
 * packages: UndiciInstrumentation (and HttpInstrumentation in cells with node:http clients) →
 * tracer provider → VLLMSpanProcessor + SimpleSpanProcessor with an InMemorySpanExporter. The
 * processor and the instrumentations are constructed in the order asked.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { httpRequestHook, type SpanProcessorLike } from '../../src/index';
import type { Load } from './clients';
import type { ExportedSpan } from './scenarios';

/**
 * How a cell builds its tracer provider: `sdk-trace-node` is NodeTracerProvider 2.x with
 * `spanProcessors`, `sdk-trace-node-1` NodeTracerProvider 1.x with `addSpanProcessor`, and
 * `sdk-trace-3` the TracerProvider of `@opentelemetry/sdk-trace` 3.x.
 */
export type ProviderFlavor = 'sdk-trace-node' | 'sdk-trace-node-1' | 'sdk-trace-3';

/**
 * Which one subscribes to undici's channels first; or `vllm-instrumentation`, the seed's Basic Setup:
 * a provider with only the exporting processor, and `VLLMInstrumentation` given it by
 * `setTracerProvider`, then `enable()` and `manuallyInstrument(openai)` (cells with `seedSetup`).
 */
export type Order = 'processor-first' | 'instrumentation-first' | 'vllm-instrumentation';

/** A running pipeline. */
export interface Pipeline {
  /** Every finished span so far, as exported. */
  spans(): ExportedSpan[];
  shutdown(): Promise<void>;
}

interface Exporter {
  getFinishedSpans(): ExportedSpan[];
}

interface Provider {
  getTracer(name: string, version?: string): ReturnType<typeof trace.getTracer>;
  register?(): void;
  addSpanProcessor?(processor: unknown): void;
  shutdown(): Promise<void>;
}

interface SpanExportModule {
  /** SDK 1.x and 2.x take the exporter, sdk-trace 3 an options object `{ exporter }`. */
  SimpleSpanProcessor: new (exporterOrOptions: Exporter | { exporter: Exporter }) => unknown;
  InMemorySpanExporter: new () => Exporter;
}

interface Instrumentation {
  setTracerProvider(provider: unknown): void;
  disable(): void;
}

/** What the seed's Basic Setup calls on `VLLMInstrumentation`. */
export interface SeedInstrumentation extends Instrumentation {
  enable(): void;
  manuallyInstrument(module: unknown): void;
}

/** What else the cell instruments. */
export interface PipelineOptions {
  /** Also `@opentelemetry/instrumentation-http`'s HttpInstrumentation, for node:http clients. */
  http: boolean;
}

/** Builds the pipeline of `flavor`, constructing processor and instrumentations in `order`. */
export async function createPipeline(
  flavor: ProviderFlavor,
  order: Order,
  load: Load,
  createProcessor: () => SpanProcessorLike & { shutdown(): Promise<void> },
  createVllmInstrumentation: () => SeedInstrumentation,
  options: PipelineOptions,
): Promise<Pipeline> {
  const createInstrumentations = await instrumentationsFactory(load, options);
  const exportModule = (await load(flavor === 'sdk-trace-3' ? '@opentelemetry/sdk-trace' : '@opentelemetry/sdk-trace-base')) as SpanExportModule;
  const providerFactory = await providerFactoryFor(flavor, load);
  if (order === 'vllm-instrumentation') return seedSetup(exportModule, providerFactory, flavor, load, createVllmInstrumentation);

  // Constructing an instrumentation enables it: it subscribes to undici's channels, or hooks node:http.
  const processorFirst = order === 'processor-first' ? createProcessor() : undefined;
  const instrumentations = createInstrumentations();
  const processor = processorFirst ?? createProcessor();

  const exporter = new exportModule.InMemorySpanExporter();
  const exporting = new exportModule.SimpleSpanProcessor(flavor === 'sdk-trace-3' ? { exporter } : exporter);
  const provider = providerFactory([processor, exporting]);
  for (const instrumentation of instrumentations) instrumentation.setTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      for (const instrumentation of instrumentations) instrumentation.disable();
      await provider.shutdown();
      await processor.shutdown();
    },
  };
}

/** Loads the instrumentation packages now; the returned function constructs (so enables) them. */
async function instrumentationsFactory(load: Load, options: PipelineOptions): Promise<() => Instrumentation[]> {
  const { UndiciInstrumentation } = (await load('@opentelemetry/instrumentation-undici')) as {
    UndiciInstrumentation: new () => Instrumentation;
  };
  if (!options.http) return () => [new UndiciInstrumentation()];
  const { HttpInstrumentation } = (await load('@opentelemetry/instrumentation-http')) as {
    HttpInstrumentation: new (config: Record<string, unknown>) => Instrumentation;
  };
  const httpConfig = {
    // What the package tells users (its processor's warning, its register entry): Node 20 needs the hook
    // to see a node:http request's body; on Node >= 22 it is harmless.
    requestHook: httpRequestHook,
    // The vLLM test server runs in this process, standing for vLLM in another: its requests are not the app's spans.
    disableIncomingRequestInstrumentation: true,
  };
  return () => [new UndiciInstrumentation(), new HttpInstrumentation(httpConfig)];
}

/** The seed README's Basic Setup, on this SDK: no VLLMSpanProcessor on the provider, nothing else installed. */
async function seedSetup(
  exportModule: SpanExportModule,
  providerFactory: ProviderFactory,
  flavor: ProviderFlavor,
  load: Load,
  createVllmInstrumentation: () => SeedInstrumentation,
): Promise<Pipeline> {
  const exporter = new exportModule.InMemorySpanExporter();
  const provider = providerFactory([new exportModule.SimpleSpanProcessor(flavor === 'sdk-trace-3' ? { exporter } : exporter)]);
  const instrumentation = createVllmInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  instrumentation.manuallyInstrument(await load('openai'));
  return {
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      instrumentation.disable();
      await provider.shutdown();
    },
  };
}

type ProviderFactory = (processors: unknown[]) => Provider;

async function providerFactoryFor(flavor: ProviderFlavor, load: Load): Promise<ProviderFactory> {
  switch (flavor) {
    case 'sdk-trace-node': {
      const { NodeTracerProvider } = (await load('@opentelemetry/sdk-trace-node')) as {
        NodeTracerProvider: new (options: { spanProcessors: unknown[] }) => Provider;
      };
      return spanProcessors => registered(new NodeTracerProvider({ spanProcessors }));
    }
    case 'sdk-trace-node-1': {
      const { NodeTracerProvider } = (await load('@opentelemetry/sdk-trace-node')) as { NodeTracerProvider: new () => Provider };
      return processors => {
        const provider = new NodeTracerProvider();
        // SDK 1.x's way, as its users write it: provider.addSpanProcessor(new VLLMSpanProcessor()).
        for (const processor of processors) provider.addSpanProcessor?.(processor);
        return registered(provider);
      };
    }
    case 'sdk-trace-3': {
      const { TracerProvider } = (await load('@opentelemetry/sdk-trace')) as {
        TracerProvider: new (options: { spanProcessors: unknown[] }) => Provider;
      };
      const { AsyncLocalStorageContextManager } = (await load('@opentelemetry/context-async-hooks')) as {
        AsyncLocalStorageContextManager: new () => { enable(): Parameters<typeof context.setGlobalContextManager>[0] };
      };
      const { W3CTraceContextPropagator } = (await load('@opentelemetry/core')) as {
        W3CTraceContextPropagator: new () => Parameters<typeof propagation.setGlobalPropagator>[0];
      };
      return spanProcessors => {
        // sdk-trace 3 has no register(): the context manager, the propagator and the global provider are set by hand.
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        propagation.setGlobalPropagator(new W3CTraceContextPropagator());
        const provider = new TracerProvider({ spanProcessors });
        trace.setGlobalTracerProvider(provider);
        return provider;
      };
    }
  }
}

function registered(provider: Provider): Provider {
  provider.register?.();
  return provider;
}
