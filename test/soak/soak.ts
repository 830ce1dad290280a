/**
 * The soak: many mixed requests (stream and not, SDK and fetch, 1 in 5 aborted by the client,
 * 1 in 10 failing on the server) through the real UndiciInstrumentation and VLLMSpanProcessor
 * against the local vLLM-compatible server, with bounded concurrency. It measures the retained
 * heap after a forced GC once the warm-up requests are done and again at the end, and checks
 * that every request left exactly one exported LLM span and no live capture record.
 */
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { VLLMSpanProcessor } from '../../src';
import { VllmTestServer, type ReceivedRequest, type ResponseScript } from '../support/vllm-server';
import { flatError, nestedError } from '../support/vllm-wire';
import { CountingExporter } from './counting-exporter';

/** Size of a soak run. */
export interface SoakOptions {
  requests: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Requests before the first heap measurement (default 2,000, or a tenth of a shorter run). */
  warmup?: number;
}

/** What a soak run measured. */
export interface SoakFigures {
  requests: number;
  concurrency: number;
  durationMs: number;
  /** Retained heap (bytes, after GC) once the warm-up requests were done, and at the end. */
  heapAfterWarmup: number;
  heapAtEnd: number;
  /** Retained heap after every `warmup` requests: [requests done, bytes]. */
  heapSeries: Array<[number, number]>;
  /** Capture records still linked to a span after every request ended. */
  liveRecords: number;
  /** How each request ended for the application. */
  outcomes: { ok: number; aborted: number; failed: number; unexpected: number };
  /** Requests planned to fail on the server (HTTP 500/400, HTML 500, connection reset). */
  plannedFailures: number;
  spans: number;
  llmSpans: number;
  errorSpans: number;
  spansWithOutput: number;
}

const ERROR_KINDS = ['http500', 'http400', 'html500', 'reset'] as const;
type Outcome = keyof SoakFigures['outcomes'];

/** How request `i` is made and answered; a header tells the server which answer to give. */
function planOf(i: number) {
  const error = i % 10 === 3 ? ERROR_KINDS[Math.floor(i / 10) % ERROR_KINDS.length] : undefined;
  const abort = i % 5 === 1;
  const gzip = i % 7 === 0;
  return { stream: i % 2 === 0, sdk: i % 3 === 0, abort, error, answer: error ?? (abort ? 'abort' : gzip ? 'gzip' : 'plain') };
}

const HTML_500 = '<html><head><title>500 Internal Server Error</title></head><body><h1>500</h1></body></html>';

async function answer(server: VllmTestServer, request: ReceivedRequest): Promise<ResponseScript> {
  const stream = request.body.includes('"stream":true');
  switch (request.headers['x-soak']) {
    case 'http500':
      return { status: 500, json: nestedError('engine overloaded', 'InternalServerError', 500) };
    case 'http400':
      return { status: 400, json: flatError('bad request', 'BadRequestError', 400) };
    case 'html500':
      return { status: 500, body: HTML_500, headers: { 'content-type': 'text/html' } };
    case 'reset':
      return { ...server.emulate(request), resetAfter: stream ? 2 : 0 };
    case 'abort':
      // Slow enough that the client's abort lands mid-way.
      if (!stream) await new Promise(resolve => setTimeout(resolve, 5));
      return { ...server.emulate(request), delayMs: 1 };
    case 'gzip':
      return { ...server.emulate(request), gzip: true };
    default:
      return server.emulate(request);
  }
}

/** `global.gc` without `--expose-gc` on the command line. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function retainedHeap(gc: () => void): Promise<number> {
  for (let round = 0; round < 4; round++) {
    gc();
    await new Promise(resolve => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`soak: timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

/** Runs the soak and returns its figures; throws only when the harness itself fails. */
export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const concurrency = options.concurrency ?? 16;
  const warmup = Math.max(1, options.warmup ?? Math.min(2000, Math.floor(options.requests / 10)));
  const gc = exposeGc();
  const server = await VllmTestServer.start({ defaultTokens: 12 });
  const exporter = new CountingExporter();
  const processor = new VLLMSpanProcessor({ baseUrlPattern: server.origin });
  const instrumentation = new UndiciInstrumentation();
  const provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  instrumentation.setTracerProvider(provider);
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
  const outcomes: SoakFigures['outcomes'] = { ok: 0, aborted: 0, failed: 0, unexpected: 0 };
  let plannedFailures = 0;

  async function request(i: number): Promise<Outcome> {
    const plan = planOf(i);
    if (plan.error !== undefined) plannedFailures++;
    const controller = new AbortController();
    const body = { model: 'm', messages: [{ role: 'user' as const, content: `soak ${i}` }], max_tokens: 8 };
    // Non-stream requests are aborted while the server is still thinking; streams after their first chunk.
    if (plan.abort && !plan.stream) setTimeout(() => controller.abort(), 1);
    try {
      if (plan.sdk) {
        const requestOptions = { headers: { 'x-soak': plan.answer }, signal: controller.signal };
        if (!plan.stream) await client.chat.completions.create(body, requestOptions);
        else {
          for await (const _chunk of await client.chat.completions.create({ ...body, stream: true }, requestOptions)) {
            if (plan.abort) {
              controller.abort();
              break;
            }
          }
        }
      } else {
        const response = await fetch(`${server.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-soak': plan.answer },
          body: JSON.stringify({ ...body, stream: plan.stream }),
          signal: controller.signal,
        });
        for await (const _bytes of response.body!) {
          if (plan.abort) {
            controller.abort();
            break;
          }
        }
        if (!response.ok) return 'failed';
      }
      if (plan.error !== undefined) return 'unexpected';
      return plan.abort ? 'aborted' : 'ok';
    } catch {
      if (plan.abort) return 'aborted';
      return plan.error !== undefined ? 'failed' : 'unexpected';
    }
  }

  async function phase(from: number, to: number): Promise<void> {
    let next = from;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        server.respondWith(received => answer(server, received));
        outcomes[await request(i)]++;
        // The test server records every request; forget them so that only the client side is measured.
        if (server.requests.length > 64) server.requests.length = 0;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await waitUntil(() => exporter.spans >= to, `${to} exported spans (have ${exporter.spans})`);
    await waitUntil(() => processor.liveCaptureCount === 0, `live capture records to reach 0 (have ${processor.liveCaptureCount})`);
  }

  const heapSeries: Array<[number, number]> = [];
  let durationMs = 0;
  try {
    // Phases of `warmup` requests, each followed by a GC and a heap reading (not counted in the duration).
    for (let done = 0; done < options.requests; ) {
      const end = Math.min(options.requests, done + warmup);
      const started = Date.now();
      await phase(done, end);
      durationMs += Date.now() - started;
      done = end;
      server.requests.length = 0;
      heapSeries.push([done, await retainedHeap(gc)]);
    }
    return {
      requests: options.requests,
      concurrency,
      durationMs,
      heapAfterWarmup: heapSeries[0][1],
      heapAtEnd: heapSeries[heapSeries.length - 1][1],
      heapSeries,
      liveRecords: processor.liveCaptureCount,
      outcomes,
      plannedFailures,
      spans: exporter.spans,
      llmSpans: exporter.llmSpans,
      errorSpans: exporter.errorSpans,
      spansWithOutput: exporter.withOutput,
    };
  } finally {
    instrumentation.disable();
    await provider.shutdown();
    await processor.shutdown();
    await server.close();
  }
}

/** The soak's pass conditions; each failure as one line (empty when it passed). */
export function soakFailures(figures: SoakFigures, maxHeapGrowthBytes: number | undefined): string[] {
  const failures: string[] = [];
  const growth = figures.heapAtEnd - figures.heapAfterWarmup;
  if (maxHeapGrowthBytes !== undefined && growth >= maxHeapGrowthBytes) failures.push(`retained heap grew by ${growth} bytes (limit ${maxHeapGrowthBytes})`);
  if (figures.liveRecords !== 0) failures.push(`${figures.liveRecords} capture records still live`);
  if (figures.spans !== figures.requests) failures.push(`${figures.spans} spans exported for ${figures.requests} requests`);
  if (figures.llmSpans !== figures.requests) failures.push(`${figures.llmSpans} LLM spans for ${figures.requests} requests`);
  if (figures.errorSpans !== figures.plannedFailures) failures.push(`${figures.errorSpans} ERROR spans for ${figures.plannedFailures} failing requests`);
  if (figures.outcomes.unexpected !== 0) failures.push(`${figures.outcomes.unexpected} requests ended unlike their plan`);
  return failures;
}

/** The figures as the README quotes them. */
export function formatFigures(f: SoakFigures): string {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  const growth = f.heapAtEnd - f.heapAfterWarmup;
  return [
    `requests:           ${f.requests} (concurrency ${f.concurrency}; ok ${f.outcomes.ok}, aborted ${f.outcomes.aborted}, failed ${f.outcomes.failed}, unexpected ${f.outcomes.unexpected})`,
    `duration:           ${(f.durationMs / 1000).toFixed(1)} s (${Math.round(f.requests / (f.durationMs / 1000))} requests/s)`,
    `heap after warm-up: ${mib(f.heapAfterWarmup)}`,
    `heap at end:        ${mib(f.heapAtEnd)} (growth ${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB)`,
    `heap series:        ${f.heapSeries.map(([done, bytes]) => `${done}: ${mib(bytes)}`).join(', ')}`,
    `live records:       ${f.liveRecords}`,
    `spans exported:     ${f.spans} (LLM ${f.llmSpans}, ERROR ${f.errorSpans} for ${f.plannedFailures} planned failures, with output ${f.spansWithOutput})`,
  ].join('\n');
}
