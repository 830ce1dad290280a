/** Small statistics and formatting helpers of the benchmark. */

/** Median of a non-empty list (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Mean of a list of two or more values, and the half-width of its 95% interval (±1.96 standard errors). */
export function meanWithInterval(values: readonly number[]): { mean: number; halfWidth: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, halfWidth: 1.96 * Math.sqrt(variance / values.length) };
}

/** The q-quantile (0..1) by linear interpolation between sorted values; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Ratios of paired samples (same round), e.g. variant / baseline; pairs with a missing side are skipped. */
export function pairedRatios(numerators: ReadonlyArray<number | undefined>, denominators: ReadonlyArray<number | undefined>): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(numerators.length, denominators.length); i++) {
    const top = numerators[i];
    const bottom = denominators[i];
    if (top !== undefined && bottom !== undefined && bottom > 0) ratios.push(top / bottom);
  }
  return ratios;
}

/** `1.034` → `+3.4%`. */
export function percentChange(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

/** `[0.97, 1.12]` → `-3..+12%`: the spread of a ratio, as percent changes without decimals. */
export function percentRange(low: number, high: number): string {
  const percent = (ratio: number) => {
    const value = Math.round((ratio - 1) * 100);
    return `${value >= 0 ? '+' : ''}${value}`;
  };
  return Number.isFinite(low) && Number.isFinite(high) ? `${percent(low)}..${percent(high)}%` : 'n/a';
}

/** `1.2345` → `1.23x`. */
export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

/** A fixed number of significant-looking decimals: 3 below 10, 2 below 100, else 1. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  return value.toFixed(abs < 10 ? 3 : abs < 100 ? 2 : 1);
}

/** Plain-text table: the first `leftColumns` columns left-aligned, the others right-aligned. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftColumns = 1): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map(row => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row.map((cell, column) => (column < leftColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  return [line(header), widths.map(width => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown table: the first `leftColumns` columns left-aligned, the others right-aligned. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftColumns = 1): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `| ${header.map((_, column) => (column < leftColumns ? '---' : '---:')).join(' | ')} |`,
    ...rows.map(row => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}
