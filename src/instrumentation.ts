import { trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { httpRequestHook } from './capture/http-request-hook';
import { requestOptionsUrl, type RequestOptionsLike } from './capture/http-request';
import { requestUrl, type UndiciRequest } from './capture/undici-request';
import { loadIfInstalled, loadOptionalPeer } from './setup/optional-peer';
import { resolveOptions } from './options';
import { VLLMSpanProcessor } from './processor';
import { ProcessorTracerProvider } from './setup/processor-tracer-provider';
import { endpointForPath, UrlPattern } from './routing';
import type { VLLMInstrumentationConfig, VLLMInstrumentationOptions, VLLMSpanProcessorOptions } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

const UNDICI_INSTRUMENTATION = '@opentelemetry/instrumentation-undici';
const UNDICI_INSTALL_HINT =
  `npm install ${UNDICI_INSTRUMENTATION}@0.10 (OpenTelemetry SDK 1.x), @0.33 (SDK 2.x) or @latest (@opentelemetry/sdk-trace 3.x, Node >= 22.15)`;

const HTTP_INSTRUMENTATION = '@opentelemetry/instrumentation-http';

/** The part of UndiciInstrumentation (every line from 0.10 on) and HttpInstrumentation that is used here. */
interface OwnedInstrumentation {
  setTracerProvider(provider: TracerProvider): void;
  setMeterProvider(provider: MeterProvider): void;
  enable(): void;
  disable(): void;
}

type UndiciInstrumentationClass = new (config: { ignoreRequestHook: (request: UndiciRequest) => boolean }) => OwnedInstrumentation;

/** The HttpInstrumentation options used here (every line from 0.200 on). */
interface HttpInstrumentationConfig {
  disableIncomingRequestInstrumentation: boolean;
  ignoreIncomingRequestHook: () => boolean;
  ignoreOutgoingRequestHook: (options: RequestOptionsLike) => boolean;
  requestHook: typeof httpRequestHook;
}

type HttpInstrumentationClass = new (config: HttpInstrumentationConfig) => OwnedInstrumentation;

function loadUndiciInstrumentation(): UndiciInstrumentationClass {
  return loadOptionalPeer<{ UndiciInstrumentation: UndiciInstrumentationClass }>(UNDICI_INSTRUMENTATION, 'VLLMInstrumentation', UNDICI_INSTALL_HINT)
    .UndiciInstrumentation;
}

/**
 * The seed's entry point: an OpenTelemetry Instrumentation (for `registerInstrumentations`,
 * NodeSDK's `instrumentations`, or `setTracerProvider` + `enable()` by hand) that traces calls to
 * vLLM, and only those. It is VLLMSpanProcessor plus the UndiciInstrumentation that processor
 * reads, owned here: that instrumentation ignores every request that is not a vLLM inference call
 * (so other requests are left to whatever else is installed), and its spans are shown to the
 * processor through `ProcessorTracerProvider`, so the user's provider needs no extra processor.
 * Needs `@opentelemetry/instrumentation-undici` installed (an optional peer dependency); when
 * `@opentelemetry/instrumentation-http` is installed too, `node:http` clients (openai v4, axios)
 * are traced the same way, through an HttpInstrumentation of its own that traces only outgoing
 * vLLM calls.
 */
export class VLLMInstrumentation {
  /** The instrumentation scope's name. */
  readonly instrumentationName = PACKAGE_NAME;
  /** The instrumentation scope's version. */
  readonly instrumentationVersion = PACKAGE_VERSION;
  private config: VLLMInstrumentationConfig;
  private pattern: UrlPattern;
  /** The global provider until one is set: it delegates to whatever provider is registered later. */
  private tracerProvider: TracerProvider = trace.getTracerProvider();
  private meterProvider: MeterProvider | undefined;
  private processor: VLLMSpanProcessor | undefined;
  private undici: OwnedInstrumentation | undefined;
  private http: OwnedInstrumentation | undefined;

  /** Throws on invalid options, and when `@opentelemetry/instrumentation-undici` is not installed; enabled at once unless `instrumentationConfig.enabled` is false. */
  constructor(options: VLLMInstrumentationOptions = {}) {
    this.config = configOf(options);
    this.pattern = validated(this.config);
    if (this.config.enabled !== false) this.enable();
  }

  /** Spans are started on this provider (default: the global one); it needs no VLLMSpanProcessor of its own. */
  setTracerProvider(tracerProvider: TracerProvider): void {
    this.tracerProvider = tracerProvider;
    for (const owned of this.owned()) owned.setTracerProvider(this.observed(tracerProvider));
  }

  /** The HTTP client duration metric of the traced calls goes to this provider; GenAI metrics follow the `metrics` / `meterProvider` options. */
  setMeterProvider(meterProvider: MeterProvider): void {
    this.meterProvider = meterProvider;
    for (const owned of this.owned()) owned.setMeterProvider(meterProvider);
  }

  /** Starts tracing vLLM calls (again); does nothing when already enabled. */
  enable(): void {
    if (this.processor !== undefined) return;
    // The peer is loaded first: a missing one throws before anything subscribes.
    const UndiciInstrumentation = this.undici === undefined ? loadUndiciInstrumentation() : undefined;
    // The processor subscribes to undici before the instrumentation, the order that needs no help on any SDK.
    this.processor = new VLLMSpanProcessor(processorOptions(this.config));
    if (UndiciInstrumentation === undefined) {
      for (const owned of this.owned()) owned.enable();
      return;
    }
    this.undici = this.adopt(new UndiciInstrumentation({ ignoreRequestHook: request => !this.isVllmCall(request) }));
    const HttpInstrumentation = loadIfInstalled<{ HttpInstrumentation: HttpInstrumentationClass }>(HTTP_INSTRUMENTATION)?.HttpInstrumentation;
    if (HttpInstrumentation === undefined) return;
    this.http = this.adopt(new HttpInstrumentation(this.httpConfig()));
    // It patches node:http and node:https when they are next required: now, since the app's clients hold the same module objects.
    for (const builtin of ['http', 'https']) loadIfInstalled(builtin);
  }

  /** Stops tracing: no span is started for vLLM calls, and nothing listens to undici any more. */
  disable(): void {
    if (this.processor === undefined) return;
    for (const owned of this.owned()) owned.disable();
    void this.processor.shutdown();
    this.processor = undefined;
  }

  /** Replaces the options (as OpenTelemetry instrumentations do); throws on invalid ones, and then keeps the old. */
  setConfig(config: VLLMInstrumentationConfig = {}): void {
    const next = configOf(config);
    this.pattern = validated(next);
    this.config = next;
    if (this.processor === undefined) return;
    // The processor reads its options once: a new one takes over from the next call on.
    this.disable();
    this.enable();
  }

  /** The options, with `enabled` at the top. */
  getConfig(): VLLMInstrumentationConfig {
    return this.config;
  }

  /**
   * Accepted for the seed's API and patches nothing: calls are traced at the HTTP level, whichever
   * client module (openai, or any other built on fetch) makes them, so no module needs patching.
   */
  manuallyInstrument(_module: unknown): void {}

  /** Hands a just-constructed instrumentation the providers. */
  private adopt(instrumentation: OwnedInstrumentation): OwnedInstrumentation {
    // Constructed enabled (UndiciInstrumentation never traces when constructed disabled), then handed
    // the provider at once: no request can start in between.
    instrumentation.setTracerProvider(this.observed(this.tracerProvider));
    if (this.meterProvider !== undefined) instrumentation.setMeterProvider(this.meterProvider);
    return instrumentation;
  }

  private owned(): OwnedInstrumentation[] {
    return [this.undici, this.http].filter((owned): owned is OwnedInstrumentation => owned !== undefined);
  }

  private httpConfig(): HttpInstrumentationConfig {
    return {
      // The app's own server is not a vLLM call: no incoming request gets a span from here.
      disableIncomingRequestInstrumentation: true,
      ignoreIncomingRequestHook: () => true,
      ignoreOutgoingRequestHook: options => !this.isVllmHttpCall(options),
      // Node 20 publishes no channel before a request body is written: the hook shows the request to the processor.
      requestHook: httpRequestHook,
    };
  }

  private observed(tracerProvider: TracerProvider): TracerProvider {
    return new ProcessorTracerProvider(tracerProvider, () => this.processor);
  }

  /** The processor's own rule: a POST to a known inference path on a server that `baseUrlPattern` accepts. */
  private isVllmCall(request: UndiciRequest): boolean {
    return request.method === 'POST' && endpointForPath(request.path) !== undefined && this.pattern.matches(requestUrl(request));
  }

  /** The same rule for the options of a `node:http` request. */
  private isVllmHttpCall(options: RequestOptionsLike): boolean {
    const path = options.path ?? '/';
    return options.method?.toUpperCase() === 'POST' && endpointForPath(path) !== undefined && this.pattern.matches(requestOptionsUrl(options));
  }
}

function configOf(options: VLLMInstrumentationOptions | VLLMInstrumentationConfig): VLLMInstrumentationConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('VLLMInstrumentation options must be an object');
  const enabled = 'enabled' in options ? options.enabled : options.instrumentationConfig?.enabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') throw new TypeError(`instrumentationConfig.enabled must be a boolean, got ${typeof enabled}`);
  return { ...options, enabled: enabled ?? true };
}

/** Validates the processor's part at once, so that a bad option throws from the constructor or setConfig. */
function validated(config: VLLMInstrumentationConfig): UrlPattern {
  return resolveOptions(processorOptions(config)).pattern;
}

function processorOptions(config: VLLMInstrumentationConfig): VLLMSpanProcessorOptions {
  const { enabled: _enabled, instrumentationConfig: _instrumentationConfig, ...options } = config;
  return options;
}
