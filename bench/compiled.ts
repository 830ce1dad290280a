/**
 * The package as it ships: src/ compiled by tsc (the CommonJS build config) into .bench-out/.
 * The benchmark measures that, not src/ through tsx: tsx compiles with esbuild's `keepNames`,
 * which wraps every function created at run time in a `__name(...)` call (Object.defineProperty),
 * about a microsecond per closure on this machine, a cost the published package does not have.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
/** Where the compiled package goes (git-ignored). */
export const COMPILED_DIR = path.join(ROOT, '.bench-out', 'cjs');

/** Compiles src/ into COMPILED_DIR; throws (with tsc's output on stderr) when src/ does not compile. */
export function buildCompiled(): void {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [tsc, '-p', path.join(ROOT, 'tsconfig.build.cjs.json'), '--outDir', COMPILED_DIR, '--declaration', 'false', '--sourceMap', 'false'],
    { stdio: 'inherit', cwd: ROOT },
  );
}

/** Loads a compiled module by its path under the root, e.g. `compiled<typeof import('../src/interpret/interpret')>('src/interpret')`. */
export function compiled<Module>(modulePath: string): Module {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(COMPILED_DIR, modulePath)) as Module;
}
