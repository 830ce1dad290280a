// A prefill instance answers with the KV blocks it holds (`remote_block_ids`), which for a long
// prompt is thousands of ids; the correlating fields are the engine, request, host and port ones.
const MAX_LISTED_ITEMS = 16;
const MAX_DEPTH = 4;

/**
 * `kv_transfer_params` (disaggregated prefill) as compact JSON for correlating prefill and decode
 * instances: lists longer than 16 items become `"<N items>"` and nesting stops at depth 4, so the
 * attribute stays small. Undefined when the value is not a non-empty object.
 */
export function compactTransferParams(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return undefined;
  return JSON.stringify(compact(value, 0));
}

function compact(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? `<${value.length} items>` : '<object>';
  if (Array.isArray(value)) {
    return value.length > MAX_LISTED_ITEMS ? `<${value.length} items>` : value.map(item => compact(item, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = compact(item, depth + 1);
  return out;
}
