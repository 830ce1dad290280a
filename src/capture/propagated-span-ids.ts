/**
 * The span ids a request carries in its trace-context headers. The undici instrumentation
 * injects the context of the span it started for a request into that very request (through
 * the global propagator), so the id is an exact key between a span and its request; a
 * request whose span was not recorded carries an id no processor ever saw.
 */

/** W3C `traceparent: 00-<trace-id>-<span-id>-<flags>`. */
const TRACEPARENT = 'traceparent';
/** B3 single header `b3: <trace-id>-<span-id>[-<sampled>[-<parent>]]`. */
const B3 = 'b3';
/** B3 multi-header. */
const X_B3_SPAN_ID = 'x-b3-spanid';
/** Jaeger `uber-trace-id: <trace-id>:<span-id>:<parent>:<flags>`. */
const UBER_TRACE_ID = 'uber-trace-id';

const SPAN_ID = /^[0-9a-f]{16}$/;

/** The header names, lower-case, in which a propagator can carry a span id. */
export const PROPAGATED_SPAN_ID_HEADERS: readonly string[] = [TRACEPARENT, B3, X_B3_SPAN_ID, UBER_TRACE_ID];

/** Their lengths, to skip the other headers without lower-casing them. */
const NAME_LENGTHS = new Set(PROPAGATED_SPAN_ID_HEADERS.map(name => name.length));

/**
 * Calls `visit` with every span id found in the headers, stopping when it returns true. Headers as
 * undici's Request holds them (a flat `[name, value, ...]` array in undici 7 and the 6.x Node
 * bundles, `name: value\r\n` lines in undici 5 and 6.0) or as an object (node:http `getHeaders()`).
 */
export function findPropagatedSpanId(headers: unknown, visit: (spanId: string) => boolean): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i];
      // The instrumentation adds `traceparent` in lower case: the common case is one compare and one slice.
      const spanId = name === TRACEPARENT ? traceparentSpanId(headers[i + 1]) : undefined;
      if (spanId !== undefined ? visit(spanId) : visitHeader(String(name), headers[i + 1], visit)) return true;
    }
    return false;
  }
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && visitHeader(line.slice(0, colon), line.slice(colon + 1).trim(), visit)) return true;
    }
    return false;
  }
  if (headers !== null && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (visitHeader(name, value, visit)) return true;
  }
  return false;
}

/** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, as the W3C propagator writes it: the span id at a fixed place. */
function traceparentSpanId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 55 || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) return undefined;
  const spanId = value.slice(36, 52);
  return SPAN_ID.test(spanId) ? spanId : undefined;
}

const DASH = 0x2d;

function visitHeader(name: string, value: unknown, visit: (spanId: string) => boolean): boolean {
  if (!NAME_LENGTHS.has(name.length)) return false;
  if (Array.isArray(value)) return value.some(item => visitHeader(name, item, visit));
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) return false;
  const text = String(value).trim().toLowerCase();
  const spanId = spanIdOf(name.toLowerCase(), text);
  return spanId !== undefined && SPAN_ID.test(spanId) && visit(spanId);
}

function spanIdOf(name: string, value: string): string | undefined {
  switch (name) {
    case TRACEPARENT:
      return value.split('-')[2];
    case B3:
      return value.split('-')[1];
    case X_B3_SPAN_ID:
      return value;
    case UBER_TRACE_ID:
      return value.split(':')[1]?.padStart(16, '0');
    default:
      return undefined;
  }
}
