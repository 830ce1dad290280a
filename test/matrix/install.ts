/**
 * Installs what the matrix runs on: each cell and each Node runtime from its committed lockfile
 * (`npm ci`), and the packed tarball into each cell.
 */
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { MATRIX_DIR, type Cell } from './cells';
import { readJson } from './json';
import type { CellSpec } from './results';

const INSTALL_MARKER = '.matrix-lock-sha256';
const PACKAGE_NAME = '@traceai/vllm';

/**
 * `npm ci` in `dir` unless its node_modules was installed from this very lockfile (or `reinstall`).
 * Returns whether it installed.
 */
export async function installFromLock(dir: string, reinstall: boolean): Promise<boolean> {
  const digest = createHash('sha256').update(fs.readFileSync(path.join(dir, 'package-lock.json'))).digest('hex');
  const marker = path.join(dir, 'node_modules', INSTALL_MARKER);
  if (!reinstall && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === digest) return false;
  const code = await new Promise<number | null>(resolve => {
    spawn('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] }).on('close', resolve);
  });
  if (code !== 0) throw new Error(`npm ci failed in ${dir} (exit ${code})`);
  fs.writeFileSync(marker, digest);
  return true;
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

/** The runtime folder a cell's `node` names; undefined for this machine's own Node major. */
export function runtimeDir(node: CellSpec['node']): string | undefined {
  if (String(node) === process.versions.node.split('.')[0]) return undefined;
  const runtime = path.join(MATRIX_DIR, 'runtimes', `node-${node}`);
  if (!fs.existsSync(path.join(runtime, 'package.json'))) throw new Error(`no Node ${node}: add test/matrix/runtimes/node-${node}`);
  return runtime;
}

/** The Node binary a cell runs on. */
export function nodeBinary(node: CellSpec['node']): string {
  const runtime = runtimeDir(node);
  if (runtime === undefined) return process.execPath;
  const binary = path.join(runtime, 'node_modules', 'node', 'bin', 'node');
  // The node package puts the binary there in its preinstall script: an npm that skips scripts leaves none.
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: did npm skip the node package's install script?`);
  return binary;
}

/** Unpacks the tarball as node_modules/@traceai/vllm, as npm would; its dependencies are in the cell's lock. */
export function installTarball(cell: Cell, tarball: string): void {
  const target = path.join(cell.dir, 'node_modules', ...PACKAGE_NAME.split('/'));
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  const { dependencies = {} } = readJson<{ dependencies?: Record<string, string> }>(path.join(target, 'package.json'));
  const missing = Object.keys(dependencies).filter(dep => !fs.existsSync(path.join(cell.dir, 'node_modules', dep, 'package.json')));
  if (missing.length > 0) throw new Error(`${cell.name}: add the package's dependencies to the cell: ${missing.join(', ')}`);
}
