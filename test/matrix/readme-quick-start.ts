/**
 * Runs the README's install lines and quick starts as a new user would: for each quick start and
 * each Node version it promises, an empty project in a temporary folder, the README's exact
 * `npm install` line run there with that Node (the packed tarball in place of `@traceai/vllm`;
 * everything else resolved by npm from the registry, today's versions, no lockfile), then each
 * program the README runs after it, against the vLLM test server (`localhost:8000` → its port).
 * An install that npm completes only with an ERESOLVE override or an engine warning fails too:
 * the line must work as written. Part of `npm run test:matrix` (`--only readme` alone).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { VllmTestServer } from '../support/vllm-server';
import { inParallel, installFromLock, nodeBinary, runtimeDir } from './install';
import { quickStartsOf, type QuickStart } from './readme-blocks';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE_NAME = '@traceai/vllm';
const INSTALL_TIMEOUT_MS = 300_000;
const PROGRAM_TIMEOUT_MS = 60_000;
/** npm's ways of saying that it installed something other than what the line asked for, or for another Node. */
const INSTALL_WARNINGS = /ERESOLVE|EBADENGINE|Could not resolve dependency|conflicting peer dependency/i;
/** What the console exporter prints for the rewritten span. */
const EXPECTED_OUTPUT = ["chat meta-llama/Llama-3.1-8B-Instruct", "'fi.span.kind': 'LLM'"];

/** The name `--only` selects these checks by. */
export const README_CHECK = 'readme';

/** One install line on one Node, with its programs. */
export interface QuickStartResult {
  quickStart: string;
  node: string;
  /** Versions npm installed of the line's packages (what "today" meant). */
  installed: Record<string, string>;
  problems: string[];
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout: number }): Promise<Outcome> {
  return new Promise(resolve => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The install line's words with the tarball in place of the package (only that word changes). */
function installArgs(line: string, tarball: string): string[] {
  const words = line.trim().split(/\s+/).slice(1);
  if (!words.includes(PACKAGE_NAME)) throw new Error(`the install line does not install ${PACKAGE_NAME}: ${line}`);
  return words.map(word => (word === PACKAGE_NAME ? tarball : word));
}

function installedVersions(project: string): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const versions: Record<string, string> = {};
  for (const name of Object.keys(manifest.dependencies ?? {}).sort()) {
    const file = path.join(project, 'node_modules', name, 'package.json');
    versions[name] = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version : 'missing';
  }
  return versions;
}

async function runOne(start: QuickStart, node: string, tarball: string): Promise<QuickStartResult> {
  const result: QuickStartResult = { quickStart: start.name, node, installed: {}, problems: [] };
  // A server per job: jobs run side by side, and each counts the requests its programs made.
  const server = await VllmTestServer.start();
  const project = fs.mkdtempSync(path.join(os.tmpdir(), `traceai-vllm-readme-${start.name}-node${node}-`));
  try {
    const binary = nodeBinary(node);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }, null, 2));
    // npm runs on the Node under test (its engine checks see that version), as `npm` in that Node's PATH would.
    const env = { ...process.env, PATH: `${path.dirname(binary)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const install = await run('npm', installArgs(start.install, tarball), { cwd: project, env, timeout: INSTALL_TIMEOUT_MS });
    if (install.code !== 0) {
      result.problems.push(`install failed (exit ${install.code}): ${install.stderr.trim().split('\n').slice(0, 12).join(' / ')}`);
      return result;
    }
    const warning = `${install.stdout}\n${install.stderr}`.split('\n').find(line => INSTALL_WARNINGS.test(line));
    if (warning !== undefined) result.problems.push(`install warned: ${warning.trim()}`);
    result.installed = installedVersions(project);
    for (const [index, program] of start.programs.entries()) {
      const file = path.join(project, `quick-start-${index}.mjs`);
      fs.writeFileSync(file, program.replaceAll('localhost:8000', `127.0.0.1:${server.port}`));
      const before = server.requests.length;
      const outcome = await run(binary, [file], { cwd: project, timeout: PROGRAM_TIMEOUT_MS });
      const where = `program ${index}`;
      if (outcome.code !== 0) result.problems.push(`${where} exited with ${outcome.code}: ${outcome.stderr.trim().split('\n').slice(0, 12).join(' / ')}`);
      for (const expected of EXPECTED_OUTPUT) if (!outcome.stdout.includes(expected)) result.problems.push(`${where} did not print ${expected}`);
      if (server.requests.length !== before + 1) result.problems.push(`${where} made ${server.requests.length - before} requests, expected 1`);
    }
  } catch (error) {
    result.problems.push(`run failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
    await server.close();
  }
  return result;
}

/** Runs every quick start of README.md on each of its Node versions; installs the Node runtimes first. */
export async function runReadmeQuickStarts(tarball: string, log: (line: string) => void): Promise<QuickStartResult[]> {
  const starts = quickStartsOf(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  if (starts.length === 0) throw new Error('README.md has no <!-- quick-start … --> install line');
  const jobs = starts.flatMap(start => start.nodes.map(node => ({ start, node })));
  const runtimes = [...new Set(jobs.map(job => runtimeDir(job.node)).filter((dir): dir is string => dir !== undefined))];
  for (const dir of runtimes) await installFromLock(dir, false);
  const results: QuickStartResult[] = [];
  // Two at a time: installs wait on the registry more than on the 2 cores.
  await inParallel(jobs, 2, async ({ start, node }) => {
    const started = Date.now();
    const result = await runOne(start, node, tarball);
    results.push(result);
    const versions = Object.entries(result.installed)
      .filter(([name]) => name !== PACKAGE_NAME)
      .map(([name, version]) => `${name.replace('@opentelemetry/', '')} ${version}`)
      .join(', ');
    log(`${result.problems.length === 0 ? 'ok  ' : 'FAIL'} README quick start ${start.name} on Node ${node} (${((Date.now() - started) / 1000).toFixed(1)}s): ${versions}`);
    for (const problem of result.problems) log(`       ${problem}`);
  });
  return results;
}
