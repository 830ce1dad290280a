/** test/matrix/results.json: merging fresh cell results into it, and telling where it is stale. */
import * as fs from 'fs';
import * as path from 'path';
import { MATRIX_DIR, listCells } from './cells';
import { readJson } from './json';
import type { CellResult, MatrixResults } from './results';

/** test/matrix/results.json */
export const RESULTS_FILE = path.join(MATRIX_DIR, 'results.json');

function committedCells(): CellResult[] {
  return fs.existsSync(RESULTS_FILE) ? readJson<MatrixResults>(RESULTS_FILE).cells : [];
}

/**
 * A cell's record without what depends on this machine's own Node (its patch version and its
 * bundled undici): everything else follows from the committed lockfiles and must not change.
 */
function comparable(cell: CellResult): string {
  const runs = cell.runs.map(({ node: _node, bundledUndici: _undici, clients, ...run }) => ({
    ...run,
    clients: clients.map(({ undiciVersion: _version, ...client }) => (client.name === 'fetch' ? { ...client, version: 'bundled' } : client)),
  }));
  return JSON.stringify({ ...cell, runs });
}

/** Names of the cells whose fresh record differs from the committed one. */
export function staleCells(fresh: CellResult[]): string[] {
  const committed = committedCells();
  return fresh
    .filter(cell => {
      const before = committed.find(candidate => candidate.name === cell.name);
      return before === undefined || comparable(before) !== comparable(cell);
    })
    .map(cell => cell.name);
}

/** The committed record with `fresh` cells replaced and cells that no longer exist dropped. */
export function mergeResults(packageId: string, fresh: CellResult[]): MatrixResults {
  const existing = new Set(listCells().map(cell => cell.name));
  const byName = new Map(committedCells().filter(cell => existing.has(cell.name)).map(cell => [cell.name, cell]));
  for (const cell of fresh) byName.set(cell.name, cell);
  const cells = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { package: packageId, cells, passed: cells.every(cell => cell.passed) };
}
