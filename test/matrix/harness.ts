/**
 * The program a matrix cell runs, bundled by run.ts into the cell and started with the cell's Node:
 * `node <bundle> <cellDir> <order> <resultFile>`. It builds the cell's OpenTelemetry pipeline, starts
 * the vLLM test server, runs every scenario with every client of the cell, and writes a RunResult.
 * `@traceai/vllm` is the packed tarball installed in the cell (run.ts maps the src/ import to it).
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import * as fs from 'fs';
import * as path from 'path';
import { VLLMInstrumentation, VLLMSpanProcessor } from '../../src/index';
import { VllmTestServer } from '../support/vllm-server';
import { createClient, HTTP_INSTRUMENTATION, type ChatClient, type Load } from './clients';
import { readJson } from './json';
import { createPipeline, type Order, type Pipeline } from './otel';
import type { CellSpec, ClientResult, RunResult } from './results';
import {
  SCENARIOS,
  checkRewrittenSpan,
  expectedCapturePath,
  instrumentationScopeOf,
  type ChatOutcome,
  type ExportedSpan,
  type Scenario,
} from './scenarios';

const NAMESPACE = '@traceai/vllm';
const WATCHDOG_MS = 120_000;
const SPAN_WAIT_MS = 5_000;

/** One diag line: its level, the component namespace (first argument of a component logger) and the text. */
interface DiagLine {
  level: 'error' | 'warn' | 'info' | 'debug' | 'verbose';
  namespace: string;
  text: string;
}

/** Keeps every diag line, so a run can tell which capture path ran and what was warned. */
class DiagCollector implements DiagLogger {
  readonly lines: DiagLine[] = [];
  error = (...args: unknown[]): void => this.add('error', args);
  warn = (...args: unknown[]): void => this.add('warn', args);
  info = (...args: unknown[]): void => this.add('info', args);
  debug = (...args: unknown[]): void => this.add('debug', args);
  verbose = (...args: unknown[]): void => this.add('verbose', args);

  /** Lines of this package from `start` on. */
  ours(start = 0): DiagLine[] {
    return this.lines.slice(start).filter(line => line.namespace === NAMESPACE);
  }

  private add(level: DiagLine['level'], args: unknown[]): void {
    const [first, ...rest] = args;
    const namespace = typeof first === 'string' ? first : '';
    this.lines.push({ level, namespace, text: rest.map(part => (part instanceof Error ? part.message : String(part))).join(' ') });
  }
}

/** Runs the cell named by argv and writes its RunResult; `load` is the cell's module loader. */
export async function runCell(load: Load): Promise<void> {
  const [cellDir, order, resultFile] = process.argv.slice(2) as [string, Order, string];
  const spec = readJson<{ matrix: CellSpec }>(path.join(cellDir, 'package.json')).matrix;
  const result: RunResult = {
    cell: path.basename(cellDir),
    order,
    node: process.version,
    bundledUndici: process.versions.undici ?? 'unknown',
    warnings: [],
    clients: [],
    problems: [],
  };
  const write = () => fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  setTimeout(() => {
    result.problems.push(`watchdog: the run took longer than ${WATCHDOG_MS} ms`);
    write();
    process.exit(2);
  }, WATCHDOG_MS).unref();

  const collector = new DiagCollector();
  diag.setLogger(collector, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
  const server = await VllmTestServer.start();
  const dependencies = readJson<{ dependencies: Record<string, string> }>(path.join(cellDir, 'package.json')).dependencies;
  const pipeline = await createPipeline(spec.provider, order, load, () => new VLLMSpanProcessor(), () => new VLLMInstrumentation({ baseUrlPattern: '127.0.0.1' }), {
    // A cell that installs instrumentation-http wires it, as the apps whose node:http clients it traces do.
    http: dependencies[HTTP_INSTRUMENTATION] !== undefined,
  });
  try {
    const versionOf = (name: string) => packageVersion(cellDir, name);
    const versionAt = (packagePath: string) => (fs.existsSync(path.join(cellDir, 'node_modules', packagePath, 'package.json')) ? versionOf(packagePath) : undefined);
    // The npm undici last: loading it registers its Agent as the global dispatcher when none exists
    // yet, and from then on Node's own fetch would send through it.
    const clients = [...spec.clients].sort((a, b) => Number(a === 'undici') - Number(b === 'undici'));
    for (const name of clients) {
      const client = await createClient(name, { load, baseUrl: server.baseUrl, versionOf, versionAt });
      result.clients.push(await runClient(client, pipeline, server, collector));
    }
  } catch (error) {
    result.problems.push(`run failed: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    await pipeline.shutdown();
    await server.close();
  }
  result.warnings = collector.ours().filter(line => line.level === 'warn' || line.level === 'error').map(line => line.text);
  // Every SDK, either construction order: the spans are rewritten and nothing needs saying.
  if (result.warnings.length > 0) result.problems.push(`unexpected diag warnings: ${result.warnings.join(' | ')}`);
  write();
}

async function runClient(client: ChatClient, pipeline: Pipeline, server: VllmTestServer, collector: DiagCollector): Promise<ClientResult> {
  const result: ClientResult = { name: client.name, version: client.version, undiciVersion: client.undiciVersion, capture: 'none', scenarios: [] };
  const paths = new Set<string>();
  const expected = expectedCapture(client);
  for (const scenario of SCENARIOS) {
    const firstLine = collector.lines.length;
    const problems = await runScenario(client, scenario, pipeline, server);
    const rewrites = collector.ours(firstLine).filter(line => line.text.startsWith('rewrote span'));
    if (rewrites.length !== 1) problems.push(`expected one "rewrote span" debug line, got ${rewrites.length}`);
    for (const line of rewrites) {
      const seen = /request bytes: (\w+), response bytes: (\w+)/.exec(line.text);
      for (const source of seen?.slice(1) ?? ['unreadable']) {
        paths.add(source === expected.source ? expected.label : source);
        if (source !== expected.source) problems.push(`capture path: expected ${expected.source} for ${expected.why}, got ${line.text}`);
      }
    }
    result.scenarios.push({ id: scenario.id, problems });
  }
  if (paths.size > 0) result.capture = [...paths].sort().join('+');
  return result;
}

/**
 * What the processor's debug line must name as each body's source, and how the record labels it.
 * node:http bodies come from taps on the request and its response, which the line calls `wrap`
 * like undici's wrapped handler; the record says `http`, as it is a path of its own.
 */
function expectedCapture(client: ChatClient): { source: string; label: string; why: string } {
  if (client.transport === 'node:http') return { source: 'wrap', label: 'http', why: 'node:http' };
  const source = expectedCapturePath(client.undiciVersion);
  return { source, label: source, why: `undici ${client.undiciVersion}` };
}

async function runScenario(client: ChatClient, scenario: Scenario, pipeline: Pipeline, server: VllmTestServer): Promise<string[]> {
  server.respondWith(scenario.response);
  const before = pipeline.spans().length;
  let outcome: ChatOutcome;
  try {
    outcome = await client.chat(scenario.request);
  } catch (error) {
    return [`client threw: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems = scenario.checkOutcome(outcome).map(problem => `client got ${problem}`);
  const spans = await waitForSpans(pipeline, before + 1);
  if (spans.length !== before + 1) return [...problems, `expected 1 new span, got ${spans.length - before}: ${spans.slice(before).map(s => s.name).join(', ')}`];
  const span = spans[before];
  return [...problems, ...checkScope(client, span), ...checkRewrittenSpan(scenario, span)];
}

/** A node:http client's span must be instrumentation-http's: the one whose traceparent reached vLLM. */
function checkScope(client: ChatClient, span: ExportedSpan): string[] {
  if (client.transport !== 'node:http') return [];
  const scope = instrumentationScopeOf(span);
  return scope === HTTP_INSTRUMENTATION ? [] : [`instrumentation scope: expected ${HTTP_INSTRUMENTATION}, got ${scope}`];
}

/** Waits until at least `count` spans ended; a span ends in undici's trailers, around the client's last read. */
async function waitForSpans(pipeline: Pipeline, count: number): Promise<ExportedSpan[]> {
  const deadline = Date.now() + SPAN_WAIT_MS;
  while (pipeline.spans().length < count && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
  // A little longer, so that a second, unexpected span is caught too.
  await new Promise(resolve => setTimeout(resolve, 20));
  return pipeline.spans();
}

function packageVersion(cellDir: string, name: string): string {
  return readJson<{ version: string }>(path.join(cellDir, 'node_modules', name, 'package.json')).version;
}
