import type { DiagLogger } from '@opentelemetry/api';

/**
 * Warnings about a setup that loses spans, each said once per processor: through `diag`, and
 * as a Node process warning, since a setup without a diag logger (NodeSDK's default) would
 * otherwise never learn it.
 */
export class OnceWarnings {
  private readonly said = new Set<string>();

  constructor(private readonly logger: DiagLogger) {}

  /** Says `message` unless the warning `id` was said already. */
  warn(id: string, message: string): void {
    if (this.said.has(id)) return;
    this.said.add(id);
    this.logger.warn(message);
    process.emitWarning(`@traceai/vllm: ${message}`, { code: `TRACEAI_VLLM_${id.toUpperCase().replace(/-/g, '_')}` });
  }
}
