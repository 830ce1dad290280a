/**
 * The client code every variant runs: the real `openai` SDK (v6, global fetch, so undici)
 * against the benchmark server. Loaded by the worker only after its variant is set up.
 */
import OpenAI from 'openai';
import { BENCH_MESSAGES, BENCH_MODEL, type Workload } from './workloads';

/** Called with each stream chunk's position (0-based) as it is read; a returned promise is awaited. */
export type ChunkProbe = (index: number) => Promise<void> | void;

/** Makes the calls of one workload and reads every answer to its end, like an application would. */
export class BenchClient {
  private readonly client: OpenAI;

  constructor(baseURL: string) {
    this.client = new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0, timeout: 120_000 });
  }

  /** One call; returns the characters of content received (so nothing is optimised away). */
  async call(workload: Workload, onChunk?: ChunkProbe): Promise<number> {
    if (!workload.stream) {
      const completion = await this.client.chat.completions.create({ model: BENCH_MODEL, messages: BENCH_MESSAGES, max_tokens: workload.maxTokens });
      return completion.choices[0]?.message.content?.length ?? 0;
    }
    const stream = await this.client.chat.completions.create({
      model: BENCH_MODEL,
      messages: BENCH_MESSAGES,
      max_tokens: workload.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
    });
    let characters = 0;
    let index = 0;
    for await (const chunk of stream) {
      characters += chunk.choices[0]?.delta.content?.length ?? 0;
      const probing = onChunk?.(index++);
      if (probing !== undefined) await probing;
    }
    return characters;
  }

  /** `requests` calls, `workload.concurrency` at a time; returns the content characters received. */
  async batch(workload: Workload, requests: number, onChunk?: ChunkProbe): Promise<number> {
    let characters = 0;
    for (let done = 0; done < requests; done += workload.concurrency) {
      const group = Math.min(workload.concurrency, requests - done);
      const sizes = await Promise.all(Array.from({ length: group }, () => this.call(workload, onChunk)));
      for (const size of sizes) characters += size;
    }
    return characters;
  }
}
