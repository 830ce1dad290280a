/** Child processes of the benchmark: the server and one worker per variant, talked to over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { WorkerCommand, WorkerReply } from './protocol';
import type { Pacing } from './server';
import type { VariantId } from './variants';

const TSX = ['--import', 'tsx'];

/** Waits for the next IPC message of a child, or fails when it exits first. */
function nextMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T): void => {
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null): void => {
      child.off('message', onMessage);
      reject(new Error(`${what} exited (code ${code}) before answering`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}

/** The benchmark server process (bench/server.ts). */
export class ServerProcess {
  private constructor(private readonly child: ChildProcess, /** `http://127.0.0.1:<port>/v1` */ readonly baseUrl: string) {}

  /** Starts the server and waits until it listens. */
  static async start(pacing: Pacing = 'coalesced'): Promise<ServerProcess> {
    const child = fork(path.join(__dirname, 'server.ts'), [pacing], { execArgv: TSX, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { port } = await nextMessage<{ port: number }>(child, 'bench server');
    return new ServerProcess(child, `http://127.0.0.1:${port}/v1`);
  }

  /** Stops the server (it exits when its IPC channel closes). */
  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}

/** A variant's worker process (bench/worker.ts); one command at a time. */
export class WorkerProcess {
  private constructor(private readonly child: ChildProcess, readonly variant: VariantId) {}

  /** Starts a worker and waits until its variant is set up. */
  static async start(variant: VariantId, baseUrl: string, maxBodyBytes?: number): Promise<WorkerProcess> {
    const args = maxBodyBytes === undefined ? [variant, baseUrl] : [variant, baseUrl, String(maxBodyBytes)];
    const child = fork(path.join(__dirname, 'worker.ts'), args, {
      execArgv: ['--expose-gc', ...TSX],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new WorkerProcess(child, variant);
    expectReply(await nextMessage<WorkerReply>(child, `worker ${variant}`), 'ready', variant);
    return worker;
  }

  /** Sends one command and waits for its answer; a worker failure becomes a thrown error. */
  async request<K extends WorkerReply['type']>(command: WorkerCommand, expected: K): Promise<Extract<WorkerReply, { type: K }>> {
    const reply = nextMessage<WorkerReply>(this.child, `worker ${this.variant}`);
    this.child.send(command);
    return expectReply(await reply, expected, this.variant);
  }

  /** Ends the worker. */
  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}

function expectReply<K extends WorkerReply['type']>(reply: WorkerReply, expected: K, variant: string): Extract<WorkerReply, { type: K }> {
  if (reply.type === 'failed') throw new Error(`worker ${variant} failed:\n${reply.error}`);
  if (reply.type !== expected) throw new Error(`worker ${variant} answered ${reply.type}, expected ${expected}`);
  return reply as Extract<WorkerReply, { type: K }>;
}

/** Closes the IPC channel (the child exits on 'disconnect'), then kills it if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
