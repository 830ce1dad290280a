/** CPU-time measurement of a synchronous operation, for the micro-benchmarks. */

let sink = 0;

/** Keeps a result alive so that the optimiser cannot drop the work that made it. */
export function consume(value: unknown): void {
  sink = (sink + (value === undefined ? 1 : typeof value === 'number' ? value : 2)) | 0;
}

/** The value `consume` accumulated (printed nowhere; read so that it is not dead). */
export function sinkValue(): number {
  return sink;
}

function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/**
 * Nanoseconds of process CPU time per call of `operation`, run until `budgetMicros` of CPU
 * time were spent, after an uncounted warm-up of a fifth of that (JIT, and the garbage
 * collections that the previous measurement left due). Calls are grouped so that reading the
 * CPU clock (about a microsecond) stays under 1% of every group. CPU time rather than wall
 * time: a busy shared machine delays the process but does not charge it for the other work.
 */
export function cpuNanosPerCall(operation: () => unknown, budgetMicros: number): number {
  let group = 1;
  const warmUpStart = process.cpuUsage();
  // Grow the group until it costs at least 200 µs, and go on warming up for a fifth of the budget.
  for (;;) {
    const start = process.cpuUsage();
    for (let i = 0; i < group; i++) consume(operation());
    const spent = cpuMicrosSince(start);
    if (spent < 200 && group < 1 << 24) group *= 2;
    else if (cpuMicrosSince(warmUpStart) >= budgetMicros / 5) break;
  }
  let calls = 0;
  const start = process.cpuUsage();
  let spent = 0;
  do {
    for (let i = 0; i < group; i++) consume(operation());
    calls += group;
    spent = cpuMicrosSince(start);
  } while (spent < budgetMicros);
  return (spent * 1000) / calls;
}
