/**
 * Bundles the harness into a cell (node_modules/.matrix/), in the cell's module format, so that
 * every bare import resolves to the cell's own packages and `@traceai/vllm` to the tarball.
 */
import { createRequire } from 'module';
import * as path from 'path';
import type { Cell } from './cells';

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');

/** Writes the bundle; returns its path. */
export async function bundleHarness(cell: Cell): Promise<string> {
  // esbuild comes with tsx (a devDependency); resolved from tsx so hoisting does not matter.
  const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild') as typeof import('esbuild');
  const outfile = path.join(cell.dir, 'node_modules', '.matrix', cell.spec.module === 'esm' ? 'harness.mjs' : 'harness.cjs');
  await esbuild.build({
    entryPoints: [path.join(__dirname, `harness-${cell.spec.module}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: cell.spec.module,
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    plugins: [
      {
        name: 'package-under-test',
        setup(build) {
          // The package is tested as packed: src/index becomes the installed tarball. Only the attribute
          // key constants may come from src/, as the expected values of the scenarios.
          build.onResolve({ filter: /^\.\.?\// }, args => {
            const target = path.resolve(args.resolveDir, args.path);
            if (!target.startsWith(SRC + path.sep)) return undefined;
            const inSrc = path.relative(SRC, target).replace(/\.ts$/, '');
            if (inSrc === 'index') return { path: '@traceai/vllm', external: true };
            if (inSrc === 'attributes') return undefined;
            return { errors: [{ text: `matrix code may import only src/index (the tarball) and src/attributes, not src/${inSrc}` }] };
          });
        },
      },
    ],
  });
  return outfile;
}
