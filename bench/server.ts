/**
 * The vLLM-compatible server of the benchmark, in a process of its own so that its CPU time
 * never lands on the measured client. Started by bench/run.ts with an IPC channel: it sends
 * `{ port }` once listening and exits when the parent disconnects.
 */
import { VllmTestServer } from '../test/support/vllm-server';

async function main(): Promise<void> {
  const server = await VllmTestServer.start();
  const send = process.send?.bind(process);
  if (send === undefined) {
    console.log(`listening on ${server.baseUrl} (no IPC channel: stop with Ctrl-C)`);
    return;
  }
  // Keep no request log: over a benchmark run it would grow to hundreds of thousands of bodies.
  const requests = server.requests;
  setInterval(() => requests.splice(0), 1000).unref();
  process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
  send({ port: server.port });
}

void main();
