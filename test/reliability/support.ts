/**
 * Helpers of the reliability tests: what an application observed from a call (to compare
 * runs with and without the processor), and a watch on process-level failures.
 */

/** An error as the application sees it. */
export interface SeenError {
  class: string;
  message: string;
  status?: number;
}

/** Everything a call gave the application: its value or stream chunks, then its error if any. */
export interface Outcome {
  value?: unknown;
  chunks?: unknown[];
  error?: SeenError;
}

function seen(error: unknown): SeenError {
  const { constructor, message, status } = error as { constructor?: { name: string }; message?: unknown; status?: unknown };
  return { class: constructor?.name ?? typeof error, message: String(message), ...(typeof status === 'number' ? { status } : {}) };
}

/** Runs a call and records what the application got, thrown errors included. */
export async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error: seen(error) };
  }
}

/** Iterates a stream the way an application does; the chunks seen before a throw are kept. */
export async function streamOutcomeOf(open: () => Promise<AsyncIterable<unknown>>, onChunk?: (chunk: unknown, index: number) => void): Promise<Outcome> {
  const chunks: unknown[] = [];
  try {
    for await (const chunk of await open()) {
      chunks.push(chunk);
      onChunk?.(chunk, chunks.length - 1);
    }
    return { chunks };
  } catch (error) {
    return { chunks, error: seen(error) };
  }
}

/** Collects uncaught exceptions and unhandled rejections while it is armed. */
export class ProcessFailureWatch {
  readonly failures: unknown[] = [];
  private readonly record = (error: unknown) => this.failures.push(error);

  /** Starts listening on `process`. */
  arm(): this {
    process.on('uncaughtException', this.record);
    process.on('unhandledRejection', this.record);
    return this;
  }

  /** Stops listening; returns what was caught. */
  disarm(): unknown[] {
    process.off('uncaughtException', this.record);
    process.off('unhandledRejection', this.record);
    return this.failures;
  }
}
