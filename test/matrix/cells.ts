/** The matrix cells: every folder of test/matrix whose package.json has a `matrix` spec. */
import * as fs from 'fs';
import * as path from 'path';
import { readJson } from './json';
import { HTTP_INSTRUMENTATION } from './clients';
import type { CellSpec } from './results';

/** test/matrix */
export const MATRIX_DIR = __dirname;

/** One cell folder and what it declares. */
export interface Cell {
  name: string;
  dir: string;
  spec: CellSpec;
}

/** The cells, sorted by name; with `only`, just those (an unknown name throws). */
export function listCells(only?: string[]): Cell[] {
  const cells = fs
    .readdirSync(MATRIX_DIR, { withFileTypes: true })
    .filter(entry => entry.isDirectory() && fs.existsSync(path.join(MATRIX_DIR, entry.name, 'package.json')))
    .map(entry => {
      const dir = path.join(MATRIX_DIR, entry.name);
      const spec = readJson<{ matrix?: CellSpec }>(path.join(dir, 'package.json')).matrix;
      return spec === undefined ? undefined : { name: entry.name, dir, spec };
    })
    .filter((cell): cell is Cell => cell !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (only === undefined) return cells;
  const unknown = only.filter(name => !cells.some(cell => cell.name === name));
  if (unknown.length > 0) throw new Error(`unknown cells: ${unknown.join(', ')}`);
  return cells.filter(cell => only.includes(cell.name));
}

/** Whether the cell installs HttpInstrumentation (so wires it, for its node:http clients). */
export function wiresHttpInstrumentation(cell: Cell): boolean {
  const { dependencies } = readJson<{ dependencies: Record<string, string> }>(path.join(cell.dir, 'package.json'));
  return dependencies[HTTP_INSTRUMENTATION] !== undefined;
}

/** Installed versions of the cell's direct dependencies. */
export function installedPackages(cell: Cell): Record<string, string> {
  const { dependencies } = readJson<{ dependencies: Record<string, string> }>(path.join(cell.dir, 'package.json'));
  const versions: Record<string, string> = {};
  for (const name of Object.keys(dependencies).sort()) {
    versions[name] = readJson<{ version: string }>(path.join(cell.dir, 'node_modules', name, 'package.json')).version;
  }
  return versions;
}
