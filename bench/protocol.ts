/** Messages between bench/run.ts and its worker processes (Node IPC, structured clone). */
import type { SpanSummary, SwitchMode } from './variants';
import type { WorkloadId } from './workloads';

/** Parent → worker. */
export type WorkerCommand =
  | { type: 'run'; workload: WorkloadId; requests: number; mode?: SwitchMode; busyWaitMicros?: number }
  | { type: 'memory'; workload: WorkloadId; probeAt: number };

/** One measured batch. */
export interface BatchResult {
  type: 'batch';
  requests: number;
  /** User + system CPU time of the worker process over the batch. */
  cpuMicros: number;
  wallMs: number;
  /** Content characters received, to check that every answer came whole. */
  characters: number;
  spans: SpanSummary;
  liveCaptureCount?: number;
}

/** Memory of the worker around one probed call (bytes of ArrayBuffers after a full GC). */
export interface MemoryResult {
  type: 'memory';
  baselineBytes: number;
  /** Taken inside the stream, once `probeAt` chunks were read: what the in-flight capture holds. */
  midBytes: number;
  /** Taken after the call, once its span ended. */
  afterBytes: number;
  liveMid?: number;
  /** The most capture records seen at once (across concurrent streams). */
  livePeak?: number;
  liveAfter?: number;
}

/** Worker → parent. */
export type WorkerReply = { type: 'ready' } | BatchResult | MemoryResult | { type: 'failed'; error: string };
