import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { listCells } from './cells';
import { readJson } from './json';
import { RESULTS_FILE } from './record';
import type { MatrixResults } from './results';
import { compatibilityTable, tableInReadme } from './table';

const ROOT = path.join(__dirname, '..', '..');

function major(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

// The matrix itself runs in CI (`npm run test:matrix`); this checks that its committed record is
// complete and current, covers every axis of the promise, and is what the README shows.
describe('compatibility matrix record (test/matrix/results.json)', () => {
  const results = readJson<MatrixResults>(RESULTS_FILE);
  const runs = results.cells.flatMap(cell => cell.runs);
  const clients = runs.flatMap(run => run.clients);

  it('has a passing entry for every committed cell, for the cell as committed', () => {
    const cells = listCells();
    expect(results.cells.map(cell => cell.name)).to.have.members(cells.map(cell => cell.name));
    for (const cell of results.cells) {
      const committed = cells.find(candidate => candidate.name === cell.name)!;
      expect(cell.spec, cell.name).to.deep.equal(committed.spec);
      const { dependencies } = readJson<{ dependencies: Record<string, string> }>(path.join(committed.dir, 'package.json'));
      const lock = readJson<{ packages: Record<string, { version: string }> }>(path.join(committed.dir, 'package-lock.json'));
      for (const name of Object.keys(dependencies)) {
        expect(cell.packages[name], `${cell.name} ${name}`).to.equal(lock.packages[`node_modules/${name}`].version);
      }
      const orders = ['processor-first', 'instrumentation-first', ...(cell.spec.seedSetup ? ['vllm-instrumentation'] : [])];
      expect(cell.runs.map(run => run.order), cell.name).to.have.members(orders);
      expect(cell.passed, `${cell.name} failed in the last matrix run`).to.equal(true);
    }
    expect(results.passed).to.equal(true);
  });

  it('covers Node 20, 22 and 24, and the oldest Node that engines accepts', () => {
    const nodes = runs.map(run => run.node);
    expect(new Set(nodes.map(major))).to.include.members([20, 22, 24]);
    const floor = readJson<{ engines: { node: string } }>(path.join(ROOT, 'package.json')).engines.node.replace(/^>=/, 'v');
    expect(nodes).to.include(floor);
  });

  it('covers SDK 1.30, 2.0–2.2, 2.x with onEnding and sdk-trace 3 with api 1.10, in both construction orders', () => {
    const sdkLines = results.cells.map(cell => ({
      node: cell.packages['@opentelemetry/sdk-trace-node'],
      three: cell.packages['@opentelemetry/sdk-trace'],
      api: cell.packages['@opentelemetry/api'],
      onEnding: cell.spec.onEnding,
    }));
    expect(sdkLines.some(sdk => sdk.node?.startsWith('1.30.'))).to.equal(true);
    expect(sdkLines.some(sdk => /^2\.[0-2]\./.test(sdk.node ?? '') && !sdk.onEnding)).to.equal(true);
    expect(sdkLines.some(sdk => /^2\.([3-9]|\d\d)\./.test(sdk.node ?? '') && sdk.onEnding)).to.equal(true);
    expect(sdkLines.some(sdk => sdk.three?.startsWith('3.') && sdk.api?.startsWith('1.10.'))).to.equal(true);
    expect(new Set(runs.map(run => run.order))).to.include.members(['processor-first', 'instrumentation-first']);
  });

  it("runs the seed's Basic Setup (VLLMInstrumentation) on SDK 1.30 (addSpanProcessor) and on sdk-trace 3", () => {
    const seedCells = results.cells.filter(cell => cell.runs.some(run => run.order === 'vllm-instrumentation'));
    expect(seedCells.some(cell => cell.packages['@opentelemetry/sdk-trace-node']?.startsWith('1.30.'))).to.equal(true);
    expect(seedCells.some(cell => cell.packages['@opentelemetry/sdk-trace']?.startsWith('3.'))).to.equal(true);
  });

  it('covers every client line, both module formats, and both capture paths', () => {
    const versions = (name: string) => new Set(clients.filter(client => client.name === name).map(client => major(client.version)));
    expect(versions('openai')).to.include.members([5, 6, 7]);
    expect(versions('undici')).to.include.members([7, 8]);
    for (const name of ['ai', 'langchain', 'fetch']) expect(versions(name).size, name).to.be.greaterThan(0);
    expect(new Set(results.cells.map(cell => cell.spec.module))).to.have.members(['cjs', 'esm']);
    expect(new Set(clients.map(client => client.capture))).to.include.members(['wrap', 'channel']);
  });

  it('covers the node:http clients (openai 4, @langchain/openai 0.3, axios, node-fetch 2, got) on Node 20, 22 and 24', () => {
    const httpRuns = runs.filter(run => run.clients.some(client => client.capture === 'http'));
    expect(new Set(httpRuns.map(run => major(run.node)))).to.include.members([20, 22, 24]);
    const httpClients = clients.filter(client => client.capture === 'http');
    const versions = (name: string) => new Set(httpClients.filter(client => client.name === name).map(client => client.version.split('.').slice(0, 2).join('.')));
    expect([...versions('openai')].some(version => version.startsWith('4.'))).to.equal(true);
    expect(versions('langchain')).to.include('0.3');
    for (const name of ['axios', 'node-fetch', 'got']) expect(versions(name).size, name).to.be.greaterThan(0);
  });

  it('is what the README compatibility table shows', function () {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = tableInReadme(readme);
    if (table === undefined) this.skip();
    expect(table).to.equal(compatibilityTable(results));
  });
});
