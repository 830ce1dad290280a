/**
 * The README's compatibility table, made from test/matrix/results.json, and the markers that
 * delimit it in README.md. `npm run test:matrix -- --table` prints it; table.test.ts checks that
 * the README holds exactly this table.
 */
import { HTTP_INSTRUMENTATION } from './clients';
import type { CellResult, ClientResult, MatrixResults, RunResult } from './results';
import { runPassed } from './results';

/** The README lines between which the generated table stands. */
export const TABLE_START = '<!-- compatibility-table:start (generated from test/matrix/results.json by `npm run test:matrix -- --table`) -->';
export const TABLE_END = '<!-- compatibility-table:end -->';

const SDK_PACKAGES = ['@opentelemetry/sdk-trace-node', '@opentelemetry/sdk-trace'] as const;

function short(name: string): string {
  return name.replace('@opentelemetry/', '');
}

function otelColumn(cell: CellResult): string {
  const sdk = SDK_PACKAGES.find(name => cell.packages[name] !== undefined);
  const parts = [
    sdk === undefined ? 'unknown SDK' : `${short(sdk)} ${cell.packages[sdk]}`,
    `instrumentation-undici ${cell.packages['@opentelemetry/instrumentation-undici']}`,
    // Cells with node:http clients wire HttpInstrumentation too.
    ...(cell.packages[HTTP_INSTRUMENTATION] === undefined ? [] : [`instrumentation-http ${cell.packages[HTTP_INSTRUMENTATION]}`]),
    `api ${cell.packages['@opentelemetry/api']}`,
  ];
  const wiring = cell.spec.provider === 'sdk-trace-node-1' ? 'addSpanProcessor' : 'spanProcessors';
  return `${parts.join(', ')} (${wiring}${cell.spec.onEnding ? ', onEnding' : ', no onEnding'})`;
}

function clientLabel(client: ClientResult, cell: CellResult): string {
  switch (client.name) {
    case 'ai':
      return `ai ${client.version} + openai-compatible ${cell.packages['@ai-sdk/openai-compatible']}`;
    case 'langchain':
      return `@langchain/openai ${client.version}`;
    case 'fetch':
      return 'fetch';
    default:
      return `${client.name} ${client.version}`;
  }
}

/** Clients with the capture path they took, from the cell's first run. */
function clientsColumn(cell: CellResult): string {
  const run = cell.runs[0];
  return (run?.clients ?? []).map(client => `${clientLabel(client, cell)} (${client.capture})`).join(', ');
}

function orderColumn(run: RunResult | undefined): string {
  if (run === undefined) return 'not run';
  if (!runPassed(run)) return '❌ failed';
  return '✅ LLM spans';
}

/** The markdown table, one row per cell. */
export function compatibilityTable(results: MatrixResults): string {
  const rows = results.cells.map(cell => {
    const first = cell.runs.find(run => run.order === 'processor-first');
    const second = cell.runs.find(run => run.order === 'instrumentation-first');
    const node = `${first?.node ?? second?.node ?? '?'} (undici ${first?.bundledUndici ?? '?'})`;
    const types = cell.typeProblems.length === 0 ? '✅' : '❌';
    const seed = cell.spec.seedSetup ? orderColumn(cell.runs.find(run => run.order === 'vllm-instrumentation')) : '–';
    return `| ${node} | ${otelColumn(cell)} | ${cell.spec.module.toUpperCase()} | ${clientsColumn(cell)} | ${orderColumn(first)} | ${orderColumn(second)} | ${seed} | ${types} |`;
  });
  return [
    TABLE_START,
    '| Node (bundled undici) | OpenTelemetry | Module | Clients (body capture path) | Processor constructed first | Processor constructed after the instrumentation | `VLLMInstrumentation` (the seed\'s Basic Setup) | Types |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    TABLE_END,
  ].join('\n');
}

/** The table as it stands in a README, or undefined when the README has no markers. */
export function tableInReadme(readme: string): string | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start, end + TABLE_END.length);
}
