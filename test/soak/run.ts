/**
 * `npm run soak [-- <requests> [<concurrency>]]` (or SOAK_REQUESTS / SOAK_CONCURRENCY):
 * runs the soak (default 20,000 requests, 16 at a time), prints its figures, and exits 1
 * when the retained heap grew by 2 MiB or more after the warm-up, a capture record stayed
 * live, or a span went missing.
 */
import { formatFigures, runSoak, soakFailures } from './soak';

const MAX_HEAP_GROWTH_BYTES = 2 * 1024 * 1024;

function positiveInteger(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

async function main(): Promise<void> {
  const requests = positiveInteger(process.argv[2] ?? process.env.SOAK_REQUESTS, 20_000, 'requests');
  const concurrency = positiveInteger(process.argv[3] ?? process.env.SOAK_CONCURRENCY, 16, 'concurrency');
  console.log(`soak: ${requests} requests, ${concurrency} at a time (node ${process.version})`);
  const figures = await runSoak({ requests, concurrency });
  console.log(formatFigures(figures));
  const failures = soakFailures(figures, MAX_HEAP_GROWTH_BYTES);
  for (const failure of failures) console.error(`FAIL ${failure}`);
  console.log(failures.length === 0 ? 'soak: PASS' : 'soak: FAIL');
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
