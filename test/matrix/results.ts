/**
 * The shape of what the matrix ran: one `RunResult` per cell process (written by the harness),
 * gathered by the runner into `results.json`, from which the README's compatibility table is made.
 */
import type { ClientName } from './clients';
import type { Order, ProviderFlavor } from './otel';

/** What a cell declares in its package.json under `matrix`. */
export interface CellSpec {
  /**
   * The Node the cell runs on: this machine's Node when it is its major version, otherwise the
   * binary installed by test/matrix/runtimes/node-<node> (the registry's `node` package).
   */
  node: number | string;
  module: 'cjs' | 'esm';
  provider: ProviderFlavor;
  /** Whether the cell's SDK calls SpanProcessor.onEnding (sdk-trace-base >= 2.3, sdk-trace 3). */
  onEnding: boolean;
  clients: ClientName[];
  /** Also run the seed's Basic Setup with `VLLMInstrumentation` (order `vllm-instrumentation`). */
  seedSetup?: boolean;
}

/**
 * What a run must show: `rewritten` spans, or, on an SDK without onEnding with the processor
 * constructed after the instrumentation, spans left as HTTP and exactly one diag.warn.
 */

/** One scenario with one client. */
export interface ScenarioResult {
  id: string;
  problems: string[];
}

/** One client in one run. */
export interface ClientResult {
  name: ClientName;
  version: string;
  /** The undici the client sends through; `none` for a node:http client. */
  undiciVersion: string;
  /**
   * Capture paths seen in the processor's debug lines (`channel`, `wrap`; `http` for a node:http
   * client's taps), or `none` when nothing was rewritten.
   */
  capture: string;
  scenarios: ScenarioResult[];
}

/** One process: a cell in one construction order. */
export interface RunResult {
  cell: string;
  order: Order;
  node: string;
  bundledUndici: string;
  /** Warnings the processor logged through diag in the whole run. */
  warnings: string[];
  clients: ClientResult[];
  /** Problems of the run as a whole (setup, warnings). */
  problems: string[];
}

/** One cell with what was installed and both runs. */
export interface CellResult {
  name: string;
  spec: CellSpec;
  /** Installed versions of the cell's direct dependencies. */
  packages: Record<string, string>;
  /** tsc's complaints about the SDK's wiring of the processor (typecheck.ts); empty when it compiles. */
  typeProblems: string[];
  runs: RunResult[];
  passed: boolean;
}

/** test/matrix/results.json */
export interface MatrixResults {
  package: string;
  cells: CellResult[];
  passed: boolean;
}

/** Whether a run had no problem at all. */
export function runPassed(run: RunResult): boolean {
  return run.problems.length === 0 && run.clients.every(client => client.scenarios.every(scenario => scenario.problems.length === 0));
}
