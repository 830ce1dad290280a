/**
 * Runs the compatibility matrix (see test/matrix/README.md): packs this package, installs every
 * cell from its own lockfile with the tarball in it, type-checks each SDK's wiring, and runs the
 * shared scenario suite in each cell once per construction order, on the cell's Node. Writes
 * test/matrix/results.json, from which the README's compatibility table is made (table.ts).
 *
 *   npm run test:matrix                  every cell
 *   npm run test:matrix -- --only a,b    some cells (their entries in results.json are replaced);
 *                                        `readme` selects the README's install lines and quick starts
 *   npm run test:matrix -- --reinstall   npm ci even where the lockfile did not change
 *   npm run test:matrix -- --table       also print the README table
 *   npm run test:matrix -- --check       also fail when a cell's record differs from the committed
 *                                        results.json (CI: the README table must show what ran)
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleHarness } from './bundle';
import { installedPackages, listCells, wiresHttpInstrumentation, type Cell } from './cells';
import { inParallel, installFromLock, installTarball, nodeBinary, runtimeDir } from './install';
import { readJson } from './json';
import type { Order } from './otel';
import { packTarball } from './pack';
import { README_CHECK, runReadmeQuickStarts } from './readme-quick-start';
import { mergeResults, RESULTS_FILE, staleCells } from './record';
import { runPassed, type CellResult, type RunResult } from './results';
import { compatibilityTable } from './table';
import { typecheckWiring } from './typecheck';

const ROOT = path.join(__dirname, '..', '..');
const ORDERS: Order[] = ['processor-first', 'instrumentation-first'];
/** The seed's Basic Setup, run in the cells whose spec asks for it. */
const SEED_SETUP: Order = 'vllm-instrumentation';
const RUN_TIMEOUT_MS = 180_000;
/** Installs and type checks at once: installs wait on network and disk more than on the 2 cores. */
const CONCURRENCY = 2;

interface Options {
  only: string[] | undefined;
  reinstall: boolean;
  table: boolean;
  check: boolean;
}

function parseOptions(argv: string[]): Options {
  const onlyAt = argv.indexOf('--only');
  return {
    only: onlyAt >= 0 ? argv[onlyAt + 1]?.split(',').filter(Boolean) : undefined,
    reinstall: argv.includes('--reinstall'),
    table: argv.includes('--table'),
    check: argv.includes('--check'),
  };
}

function log(message: string): void {
  process.stdout.write(`[matrix] ${message}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

/** Counts the checks (one type check per cell, one run per cell and order) for the closing line. */
class Tally {
  checks = 0;
  failed = 0;

  add(passed: boolean): void {
    this.checks++;
    if (!passed) this.failed++;
  }
}

async function install(cells: Cell[], tarball: string, reinstall: boolean): Promise<Map<Cell, { node: string; bundle: string }>> {
  const runtimes = [...new Set(cells.map(cell => runtimeDir(cell.spec.node)).filter((dir): dir is string => dir !== undefined))];
  await inParallel([...runtimes, ...cells.map(cell => cell.dir)], CONCURRENCY, async dir => {
    const started = Date.now();
    if (await installFromLock(dir, reinstall)) log(`npm ci ${path.relative(__dirname, dir)} (${seconds(started)})`);
  });
  const prepared = new Map<Cell, { node: string; bundle: string }>();
  for (const cell of cells) {
    installTarball(cell, tarball);
    prepared.set(cell, { node: nodeBinary(cell.spec.node), bundle: await bundleHarness(cell) });
  }
  return prepared;
}

async function typecheck(cells: Cell[], tally: Tally): Promise<Map<Cell, string[]>> {
  const problems = new Map<Cell, string[]>();
  await inParallel(cells, CONCURRENCY, async cell => {
    problems.set(cell, await typecheckWiring(cell.dir, cell.spec.provider, wiresHttpInstrumentation(cell)));
  });
  for (const cell of cells) {
    const found = problems.get(cell) ?? [];
    tally.add(found.length === 0);
    const wiring = wiresHttpInstrumentation(cell) ? `${cell.spec.provider} + HttpInstrumentation` : cell.spec.provider;
    log(`${found.length === 0 ? 'ok  ' : 'FAIL'} ${cell.name} types (${wiring} wiring as .mts and .cts)`);
    for (const problem of found) log(`       ${problem}`);
  }
  return problems;
}

function runOrder(cell: Cell, node: string, bundle: string, order: Order): Promise<RunResult> {
  const resultFile = path.join(path.dirname(bundle), `result-${order}.json`);
  fs.rmSync(resultFile, { force: true });
  return new Promise(resolve => {
    const child = spawn(node, [bundle, cell.dir, order, resultFile], { cwd: cell.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('close', code => {
      clearTimeout(timer);
      if (fs.existsSync(resultFile)) {
        const result = readJson<RunResult>(resultFile);
        if (code !== 0) result.problems.push(`exited with ${code}: ${output.trim()}`);
        resolve(result);
        return;
      }
      resolve({
        cell: cell.name, order, node: 'unknown', bundledUndici: 'unknown', warnings: [], clients: [],
        problems: [`exited with ${code} before writing a result: ${output.trim()}`],
      });
    });
  });
}

function report(run: RunResult): void {
  const clients = run.clients.map(client => `${client.name} ${client.version} [${client.capture}]`).join(', ');
  log(`${runPassed(run) ? 'ok  ' : 'FAIL'} ${run.cell} ${run.order} (${run.node}): ${clients}`);
  for (const problem of run.problems) log(`       ${problem}`);
  for (const client of run.clients) {
    for (const scenario of client.scenarios) for (const problem of scenario.problems) log(`       ${client.name} ${scenario.id}: ${problem}`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  // `readme` names the README's install and quick start checks (readme-quick-start.ts), not a cell.
  const cells = listCells(options.only?.filter(name => name !== README_CHECK));
  const withReadme = options.only === undefined || options.only.includes(README_CHECK);
  const tally = new Tally();

  let phase = Date.now();
  const tarball = packTarball(fs.mkdtempSync(path.join(os.tmpdir(), 'traceai-vllm-pack-')));
  log(`packed ${path.basename(tarball)} (${seconds(phase)})`);
  phase = Date.now();
  const prepared = await install(cells, tarball, options.reinstall);
  if (withReadme) {
    const readmePhase = Date.now();
    for (const result of await runReadmeQuickStarts(tarball, log)) tally.add(result.problems.length === 0);
    log(`ran the README's install lines and quick starts (${seconds(readmePhase)})`);
  }
  fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
  log(`installed ${cells.length} cells (${seconds(phase)})`);
  phase = Date.now();
  const typeProblems = await typecheck(cells, tally);
  log(`type-checked ${cells.length} cells (${seconds(phase)})`);

  phase = Date.now();
  const results: CellResult[] = [];
  for (const cell of cells) {
    const { node, bundle } = prepared.get(cell)!;
    const runs: RunResult[] = [];
    for (const order of cell.spec.seedSetup ? [...ORDERS, SEED_SETUP] : ORDERS) {
      const run = await runOrder(cell, node, bundle, order);
      report(run);
      tally.add(runPassed(run));
      runs.push(run);
    }
    const types = typeProblems.get(cell) ?? [];
    results.push({ name: cell.name, spec: cell.spec, packages: installedPackages(cell), typeProblems: types, runs, passed: types.length === 0 && runs.every(runPassed) });
  }
  log(`ran ${results.reduce((runs, cell) => runs + cell.runs.length, 0)} cell runs (${seconds(phase)}); whole matrix ${seconds(started)}`);

  const manifest = readJson<{ name: string; version: string }>(path.join(ROOT, 'package.json'));
  const stale = options.check ? staleCells(results) : [];
  const merged = mergeResults(`${manifest.name}@${manifest.version}`, results);
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(merged, null, 2) + '\n');
  if (options.table) process.stdout.write(`\n${compatibilityTable(merged)}\n`);
  // The plain closing line CI reads.
  process.stdout.write(`matrix: ${tally.checks - tally.failed} passed, ${tally.failed} failed\n`);
  if (stale.length > 0) {
    log(`the committed test/matrix/results.json does not record what ran for: ${stale.join(', ')}`);
    log('run `npm run test:matrix -- --table`, commit results.json and paste the table into README.md');
  }
  process.exitCode = tally.failed === 0 && stale.length === 0 ? 0 : 1;
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
