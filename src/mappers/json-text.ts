/** A character JSON text must escape, or a surrogate (JSON.stringify escapes a lone one): then the native path decides. */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(value)` for plain data (what the GenAI content attributes hold), the same text,
 * but a string with nothing to escape is quoted as it is: the native escaper costs about 3 ns a
 * character, and a chat answer or prompt is most of a span's content. Anything unusual (`toJSON`,
 * a number, a string to escape) goes to `JSON.stringify` itself.
 */
export function stringifyJson(value: unknown): string {
  if (typeof value === 'string') return NEEDS_ESCAPING.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (Array.isArray(value)) return `[${value.map(item => (isSkipped(item) ? 'null' : stringifyJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const members: string[] = [];
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      if (!isSkipped(member)) members.push(`${stringifyJson(key)}:${stringifyJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}
