/**
 * The package built as `npm run build` builds it, from a private copy of the sources (others
 * build and test in this checkout at the same time), and an empty application project that has
 * it installed as node_modules/@traceai/vllm. For tests of what only the build has: the `exports`
 * map, the ES module and CommonJS entries, `--import` / `--require`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** What scripts/build.ts reads. */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.build.cjs.json', 'tsconfig.build.esm.json', 'scripts', 'src', 'schemas'];

/** A built copy of the package and an application project that uses it. */
export interface BuiltPackage {
  /** The application's directory: node_modules/@traceai/vllm is the built package. */
  project: string;
  /** Removes both. */
  remove(): void;
}

/**
 * Builds the package and makes a project whose node_modules holds it and `links` (names of
 * packages in this checkout's node_modules, `as` another name when given). The package's own
 * imports resolve from this checkout's node_modules, as from an installed package's peers.
 */
export function buildPackage(links: Array<string | { name: string; as: string }> = []): BuiltPackage {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'traceai-vllm-built-'));
  const stage = path.join(work, 'package');
  fs.mkdirSync(stage);
  for (const entry of BUILD_INPUTS) fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: stage, stdio: ['ignore', 'ignore', 'pipe'] });
  const project = path.join(work, 'app');
  fs.mkdirSync(path.join(project, 'node_modules', '@traceai'), { recursive: true });
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  fs.symlinkSync(stage, path.join(project, 'node_modules', '@traceai', 'vllm'), 'dir');
  for (const link of links) {
    const { name, as } = typeof link === 'string' ? { name: link, as: link } : link;
    fs.mkdirSync(path.dirname(path.join(project, 'node_modules', as)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', as), 'dir');
  }
  return { project, remove: () => fs.rmSync(work, { recursive: true, force: true }) };
}
