/**
 * What the benchmark asks the server for. The emulator answers `max_tokens` = N with exactly
 * N tokens of 4 bytes each, one token per stream chunk, so N sizes the answer (non-stream) or
 * the number of chunks (stream).
 */

/** One kind of call the client makes, and how many make one measured batch. */
export interface Workload {
  id: WorkloadId;
  /** Column text of the result table. */
  label: string;
  stream: boolean;
  /** Answer tokens: 512 tokens = 2 KiB of content; for streams, the chunk count. */
  maxTokens: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests in one measured batch (full run); a multiple of `concurrency`. */
  batch: number;
  /** Requests in one measured batch with `--quick` (also its warm-up). */
  quickBatch: number;
  /**
   * Requests each worker (and each mode of the same-process comparison) makes before anything is
   * measured: about a thousand calls' worth of JIT work. V8 optimises the processor's functions
   * only after many calls; over the first thousand chat calls of a process its interpretation
   * takes about twice as long as later (median per call, by sixth of a 5,760-call run: 98, 50,
   * 42, 39, 41, 39 µs), and a service makes its first thousand calls once.
   */
  warmUp: number;
}

/** Identifier of a workload, used on the command line and in the JSON results. */
export type WorkloadId = 'chat-2k' | 'stream-100' | 'stream-1k' | 'stream-10k' | 'stream-1k-x16';

/** Every workload, in table order. Batches last a few hundred milliseconds; the 10,000-chunk stream about a second. */
export const WORKLOADS: readonly Workload[] = [
  { id: 'chat-2k', label: 'chat, 2 KB answer', stream: false, maxTokens: 512, concurrency: 1, batch: 100, quickBatch: 50, warmUp: 1000 },
  { id: 'stream-100', label: 'stream, 100 chunks', stream: true, maxTokens: 100, concurrency: 1, batch: 30, quickBatch: 15, warmUp: 300 },
  { id: 'stream-1k', label: 'stream, 1,000 chunks', stream: true, maxTokens: 1000, concurrency: 1, batch: 4, quickBatch: 2, warmUp: 30 },
  { id: 'stream-10k', label: 'stream, 10,000 chunks', stream: true, maxTokens: 10000, concurrency: 1, batch: 1, quickBatch: 1, warmUp: 3 },
  { id: 'stream-1k-x16', label: '16 concurrent streams of 1,000', stream: true, maxTokens: 1000, concurrency: 16, batch: 16, quickBatch: 16, warmUp: 32 },
];

/** The model every request names (the emulator echoes it). */
export const BENCH_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** A realistic small conversation: a system prompt and one user turn (about 400 bytes of request body). */
export const BENCH_MESSAGES = [
  { role: 'system' as const, content: 'You are a concise assistant. Answer in plain prose, without lists or headings, and stay on topic.' },
  {
    role: 'user' as const,
    content:
      'Explain how a span processor can turn generic HTTP client spans into LLM spans by reading the request and ' +
      'response bodies, and why that needs no patching of the client SDK.',
  },
];

/** The body the `openai` SDK sends for a workload (same field order), for the micro-benchmark. */
export function chatRequestBody(workload: Pick<Workload, 'stream' | 'maxTokens'>): Record<string, unknown> {
  return workload.stream
    ? { model: BENCH_MODEL, messages: BENCH_MESSAGES, max_tokens: workload.maxTokens, stream: true, stream_options: { include_usage: true } }
    : { model: BENCH_MODEL, messages: BENCH_MESSAGES, max_tokens: workload.maxTokens };
}

/** Looks a workload up by id; throws on an unknown one (command-line typo). */
export function workloadById(id: string): Workload {
  const workload = WORKLOADS.find(w => w.id === id);
  if (workload === undefined) throw new Error(`unknown workload "${id}"; known: ${WORKLOADS.map(w => w.id).join(', ')}`);
  return workload;
}
