/**
 * One variant's client process: `node --expose-gc --import tsx bench/worker.ts <variant> <baseURL> [maxBodyBytes]`.
 * Sets the variant up, then loads the client and answers the parent's commands over IPC.
 * Its CPU time is the figure the benchmark reports; the server runs elsewhere.
 */
import type { ChunkProbe } from './client';
import type { BatchResult, MemoryResult, WorkerCommand, WorkerReply } from './protocol';
import { activateVariant, variantById, type ActiveVariant } from './variants';
import { workloadById } from './workloads';

const [variantId, baseURL, maxBodyBytes] = process.argv.slice(2);

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

/** Full GC (the worker runs with --expose-gc), for the memory probe only. */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Bytes of ArrayBuffers (where Buffers, and so captured bodies, live) after full GCs: steadier
 * than the JS heap, which moves by megabytes as code is compiled. V8 frees the memory of dead
 * ArrayBuffers on a background thread after a GC, hence the pause and the second collection.
 */
async function memoryBytes(): Promise<number> {
  collect();
  await new Promise(resolve => setTimeout(resolve, 20));
  collect();
  return process.memoryUsage().arrayBuffers;
}

async function main(): Promise<void> {
  const variant: ActiveVariant = activateVariant(variantById(variantId).id, maxBodyBytes === undefined ? undefined : Number(maxBodyBytes));
  // Only now: the instrumentations must be in place before `openai` is loaded.
  const { BenchClient } = await import('./client');
  const client = new BenchClient(baseURL);

  async function run(command: Extract<WorkerCommand, { type: 'run' }>): Promise<BatchResult> {
    const workload = workloadById(command.workload);
    if (command.mode !== undefined) variant.switchTo?.(command.mode, command.busyWaitMicros);
    // No forced GC here: a full collection resets feedback and shrinks the young generation, which
    // makes the next batch slower; each batch pays for the collections it causes, like an application.
    const startCpu = process.cpuUsage();
    const startWall = process.hrtime.bigint();
    const characters = await client.batch(workload, command.requests);
    const wallNs = process.hrtime.bigint() - startWall;
    const cpu = process.cpuUsage(startCpu);
    return {
      type: 'batch',
      requests: command.requests,
      cpuMicros: cpu.user + cpu.system,
      wallMs: Number(wallNs) / 1e6,
      characters,
      spans: variant.spans(),
      liveCaptureCount: variant.liveCaptureCount?.(),
    };
  }

  async function memory(command: Extract<WorkerCommand, { type: 'memory' }>): Promise<MemoryResult> {
    const workload = workloadById(command.workload);
    const live = variant.liveCaptureCount;
    const baselineBytes = await memoryBytes();
    let midBytes = 0;
    let liveMid: number | undefined;
    let livePeak = 0;
    let probed = false;
    const probe: ChunkProbe = async index => {
      if (live !== undefined) livePeak = Math.max(livePeak, live());
      if (index === command.probeAt && !probed) {
        probed = true;
        liveMid = live?.();
        midBytes = await memoryBytes();
      }
    };
    await client.batch(workload, workload.concurrency, probe);
    return {
      type: 'memory',
      baselineBytes,
      midBytes,
      afterBytes: await memoryBytes(),
      liveMid,
      livePeak: live === undefined ? undefined : livePeak,
      liveAfter: live?.(),
    };
  }

  process.on('message', (command: WorkerCommand) => {
    const work = command.type === 'run' ? run(command) : memory(command);
    work.then(send, (error: unknown) => send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
