import { Tracing, type TracingOptions } from './tracing';
import { VllmTestServer, type VllmTestServerOptions } from './vllm-server';

/** A suite's vLLM test server and the tracing setup of its current test. */
export interface TracedServer {
  /** Started before the suite's first test, closed after its last. */
  readonly server: VllmTestServer;
  /** A new tracing setup; every one a test makes is stopped after it (or by `stop`). */
  trace(options?: TracingOptions): Tracing;
  /** Stops the test's tracing setups, if any. */
  stop(): Promise<void>;
}

/** Registers the mocha hooks of a suite that traces calls to one VllmTestServer; call inside `describe`. */
export function useTracedServer(serverOptions?: VllmTestServerOptions): TracedServer {
  let server: VllmTestServer | undefined;
  let current: Tracing[] = [];
  const suite: TracedServer = {
    get server() {
      if (server === undefined) throw new Error('the server starts in the before hook');
      return server;
    },
    trace(options) {
      const tracing = new Tracing(options);
      current.push(tracing);
      return tracing;
    },
    async stop() {
      const stopping = current;
      current = [];
      for (const tracing of stopping) await tracing.stop();
    },
  };
  before(async () => {
    server = await VllmTestServer.start(serverOptions);
  });
  after(() => server?.close());
  afterEach(() => suite.stop());
  return suite;
}
