import { diag } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { httpRequestHook } from '../capture/http-request-hook';
import { VLLMSpanProcessor } from '../processor';
import { futureAgiFromEnv } from './future-agi';
import { loadRequiredPeers } from './peers';
import { processorOptionsFromEnv } from './processor-options';
import { exportingProcessorsFromEnv, futureAgiProcessor } from './span-processors';

/** What the register entry started. */
export interface StartedTracing {
  processor: VLLMSpanProcessor;
  /** Flushes and stops the SDK; the same promise however often it is called. */
  shutdown(): Promise<void>;
}

/**
 * Builds and starts NodeSDK from the environment, with undici and node:http instrumented and
 * `VLLMSpanProcessor` ahead of the exporting processors. No LLM-client instrumentation is
 * enabled, so each vLLM call is one span. Returns undefined when `OTEL_SDK_DISABLED` is true
 * or nothing would be exported. Throws on a missing peer or a bad variable.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): StartedTracing | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const peers = loadRequiredPeers();
  const futureAgi = futureAgiFromEnv(env);
  const exporting = exportingProcessorsFromEnv(env, futureAgi !== undefined);
  if (futureAgi !== undefined) exporting.push(futureAgiProcessor(futureAgi));
  if (exporting.length === 0) return undefined;
  const processor = new VLLMSpanProcessor(processorOptionsFromEnv(env));
  const { resources } = peers.sdkNode;
  const sdk = new peers.sdkNode.NodeSDK({
    // The hook hands each node:http request to the processor before its body is written (Node 20 has no channel for it).
    instrumentations: [new peers.undici.UndiciInstrumentation(), new peers.http.HttpInstrumentation({ requestHook: httpRequestHook })],
    spanProcessors: [processor as unknown as SpanProcessor, ...exporting] as never,
    // The detectors (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, process, host) still apply on top.
    resource: futureAgi === undefined ? undefined : resources.defaultResource().merge(resources.resourceFromAttributes(futureAgi.resourceAttributes)),
    // Traces only, unless metrics or logs are asked for: NodeSDK would otherwise post both to localhost:4318.
    metricReaders: env.OTEL_METRICS_EXPORTER ? undefined : [],
    logRecordProcessors: env.OTEL_LOGS_EXPORTER ? undefined : [],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= sdk.shutdown().catch(error => diag.error('@traceai/vllm/register: SDK shutdown failed', error)));
  shutdownOnExit(shutdown);
  return { processor, shutdown };
}

/**
 * Flushes when the event loop empties (`beforeExit`) and on SIGTERM / SIGINT, so that a short
 * process's spans reach the exporter; then a signal takes its default course, unless the
 * application listens to it too. `process.exit()` gives no chance to flush.
 */
function shutdownOnExit(shutdown: () => Promise<void>): void {
  process.once('beforeExit', () => void shutdown());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    });
  }
}
