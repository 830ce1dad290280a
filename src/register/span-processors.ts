import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FutureAgiExport } from './future-agi';
import { loadSdkDependency } from './peers';

type TraceBase = typeof import('@opentelemetry/sdk-trace-base');
type OtlpExporterModule = { OTLPTraceExporter: new (config?: { url?: string; headers?: Record<string, string> }) => SpanExporter };

/** OTLP protocols, each with the exporter package that speaks it. */
const OTLP_EXPORTERS: Readonly<Record<string, string>> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
};

/** The `OTEL_TRACES_EXPORTER` values understood here, as NodeSDK reads them. */
const EXPORTER_NAMES = ['otlp', 'console', 'zipkin', 'none'];

/**
 * The exporting processors of `OTEL_TRACES_EXPORTER` (default `otlp`, or nothing when the
 * Future AGI export is configured), as NodeSDK would build them: OTLP and Zipkin batched,
 * console simple. Each exporter reads its own endpoint, headers, timeout and compression
 * variables, and the batch processor its `OTEL_BSP_*`. Unknown values throw.
 */
export function exportingProcessorsFromEnv(env: NodeJS.ProcessEnv, futureAgi: boolean): SpanProcessor[] {
  const names = [...new Set((env.OTEL_TRACES_EXPORTER ?? '').split(',').map(name => name.trim().toLowerCase()).filter(Boolean))];
  const unknown = names.filter(name => !EXPORTER_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new Error(`@traceai/vllm/register: OTEL_TRACES_EXPORTER ${unknown.map(name => JSON.stringify(name)).join(', ')} not supported; use ${EXPORTER_NAMES.join(', ')}`);
  }
  if (names.includes('none')) return [];
  if (names.length === 0 && !futureAgi) names.push('otlp');
  const traceBase = loadSdkDependency<TraceBase>('@opentelemetry/sdk-trace-base');
  return names.map(name => {
    switch (name) {
      case 'console':
        return new traceBase.SimpleSpanProcessor(new traceBase.ConsoleSpanExporter());
      case 'zipkin':
        return new traceBase.BatchSpanProcessor(new (loadSdkDependency<{ ZipkinExporter: new () => SpanExporter }>('@opentelemetry/exporter-zipkin').ZipkinExporter)());
      default:
        return new traceBase.BatchSpanProcessor(otlpExporterFromEnv(env));
    }
  });
}

/** The batched OTLP http/json export to Future AGI (the protocol of its own SDK's exporter). */
export function futureAgiProcessor(target: FutureAgiExport): SpanProcessor {
  const traceBase = loadSdkDependency<TraceBase>('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = loadSdkDependency<OtlpExporterModule>(OTLP_EXPORTERS['http/json']);
  return new traceBase.BatchSpanProcessor(new OTLPTraceExporter({ url: target.url, headers: target.headers }));
}

/** The OTLP exporter of `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL` (default http/protobuf). */
function otlpExporterFromEnv(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  const packageName = OTLP_EXPORTERS[protocol];
  if (packageName === undefined) {
    throw new Error(`@traceai/vllm/register: OTLP protocol ${JSON.stringify(protocol)} not supported; use ${Object.keys(OTLP_EXPORTERS).join(', ')}`);
  }
  return new (loadSdkDependency<OtlpExporterModule>(packageName).OTLPTraceExporter)();
}
