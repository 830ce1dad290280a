/**
 * Packs @traceai/vllm exactly as `npm pack` does (its `prepack` builds dist/), but from a private
 * copy of the sources: several people and test runs share this checkout, and two builds writing
 * the same dist/ at once would pack a half-written build.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** What the build reads, besides what package.json's `files` ships. */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.build.cjs.json', 'tsconfig.build.esm.json', 'scripts', 'src', 'schemas'];

/** Files npm adds to every tarball whatever `files` says. */
const ALWAYS_PACKED = ['README.md', 'LICENSE'];

/** Builds and packs into `destination`; returns the tarball's path. */
export function packTarball(destination: string): string {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'traceai-vllm-stage-'));
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files?: string[] };
    const entries = new Set([...BUILD_INPUTS, ...ALWAYS_PACKED, ...(manifest.files ?? []).filter(entry => entry !== 'dist')]);
    for (const entry of entries) {
      const source = path.join(ROOT, entry);
      if (fs.existsSync(source)) fs.cpSync(source, path.join(stage, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
    const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // prepack's own output comes first; the JSON report is the last thing npm prints.
    const start = output.startsWith('[') ? 0 : output.lastIndexOf('\n[') + 1;
    const [{ filename }] = JSON.parse(output.slice(start)) as Array<{ filename: string }>;
    return path.join(destination, filename);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
