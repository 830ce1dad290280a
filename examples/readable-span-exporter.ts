import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'];

// The attributes worth a line each in the demo; everything is still on the span.
const KEY_ATTRIBUTES = [
  'fi.span.kind',
  'gen_ai.operation.name',
  'llm.model',
  'gen_ai.response.model',
  'gen_ai.response.finish_reasons',
  'llm.token_count.prompt',
  'llm.token_count.completion',
  'llm.token_count.total',
  'gen_ai.response.time_to_first_chunk',
  'error.type',
];

/** Prints each finished span as a short, readable block: the demo's console exporter. */
export class ReadableSpanExporter implements SpanExporter {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) console.log(formatSpan(span));
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function formatSpan(span: ReadableSpan): string {
  const { attributes } = span;
  const durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
  const status = STATUS_NAMES[span.status.code] + (span.status.message ? ` (${span.status.message})` : '');
  const lines = [`── span "${span.name}"  trace ${span.spanContext().traceId}  ${durationMs.toFixed(1)} ms  status ${status}`];
  for (const key of KEY_ATTRIBUTES) {
    if (attributes[key] !== undefined) lines.push(`   ${key} = ${JSON.stringify(attributes[key])}`);
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (/^llm\.(input|output)_messages\./.test(key)) lines.push(`   ${key} = ${truncate(JSON.stringify(value))}`);
  }
  return lines.join('\n');
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
