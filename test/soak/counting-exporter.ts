import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Counts what it is given and keeps nothing, so that a soak measures the processor, not the exporter. */
export class CountingExporter implements SpanExporter {
  /** Spans exported. */
  spans = 0;
  /** Spans that became LLM-family spans. */
  llmSpans = 0;
  /** Spans with ERROR status. */
  errorSpans = 0;
  /** Spans that carry an output message. */
  withOutput = 0;

  /** Counts the batch, then drops it. */
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      this.spans++;
      if (span.attributes['fi.span.kind'] !== undefined) this.llmSpans++;
      if (span.status.code === SpanStatusCode.ERROR) this.errorSpans++;
      if (span.attributes['llm.output_messages.0.role'] !== undefined) this.withOutput++;
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  /** Nothing to release. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
