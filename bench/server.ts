/**
 * The vLLM-compatible server of the benchmark, in a process of its own so that its CPU time
 * never lands on the measured client. Started by bench/run.ts with an IPC channel: it sends
 * `{ port }` once listening and exits when the parent disconnects.
 *
 * Pacing (argument 1): `coalesced` (default) writes each answer back to back, so the client
 * reads a stream in socket-buffer-sized pieces whatever the load; `paced` writes one event per
 * client read, like tokens arriving from a GPU. Paced is closer to life but its read pattern, and
 * so the client's CPU per request, drifts with the machine's load: a client that falls behind
 * gets several events per read and spends less per event. The benchmark wants the comparison
 * between variants to be exact, so it coalesces.
 */
import { VllmTestServer, type ReceivedRequest } from '../test/support/vllm-server';

/** How the server writes streamed answers. */
export type Pacing = 'coalesced' | 'paced';

async function main(): Promise<void> {
  const pacing = (process.argv[2] ?? 'coalesced') as Pacing;
  if (pacing !== 'coalesced' && pacing !== 'paced') throw new Error(`unknown pacing "${pacing}"`);
  const server = await VllmTestServer.start();
  if (pacing === 'coalesced') {
    const emulate = server.emulate.bind(server);
    // Every request goes through `emulate` when nothing is scripted: an own property replaces it.
    server.emulate = (request: ReceivedRequest) => ({ ...emulate(request), coalesce: true });
  }
  const send = process.send?.bind(process);
  if (send === undefined) {
    console.log(`listening on ${server.baseUrl}, ${pacing} (no IPC channel: stop with Ctrl-C)`);
    return;
  }
  // Keep no request log: over a benchmark run it would grow to hundreds of thousands of bodies.
  const requests = server.requests;
  setInterval(() => requests.splice(0), 1000).unref();
  process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
  send({ port: server.port });
}

void main();
