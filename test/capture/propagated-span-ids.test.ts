import { expect } from 'chai';
import { findPropagatedSpanId } from '../../src/capture/propagated-span-ids';

/** Every span id found, in order. */
function spanIdsIn(headers: unknown): string[] {
  const found: string[] = [];
  findPropagatedSpanId(headers, spanId => {
    found.push(spanId);
    return false;
  });
  return found;
}

const SPAN = 'b7ad6b7169203331';
const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('findPropagatedSpanId: the span id a request carries, in every header form', () => {
  it('reads W3C traceparent, B3 single and multi, and Jaeger headers, any case', () => {
    expect(spanIdsIn(['Traceparent', `00-${TRACE}-${SPAN}-01`])).to.deep.equal([SPAN]);
    expect(spanIdsIn(['b3', `${TRACE}-${SPAN}-1`])).to.deep.equal([SPAN]);
    expect(spanIdsIn(['X-B3-SpanId', SPAN.toUpperCase()])).to.deep.equal([SPAN]);
    expect(spanIdsIn(['uber-trace-id', `${TRACE}:${SPAN}:0:1`])).to.deep.equal([SPAN]);
    // Jaeger may drop a span id's leading zeros.
    expect(spanIdsIn(['uber-trace-id', `${TRACE}:ad6b7169203331:0:1`])).to.deep.equal(['00ad6b7169203331']);
  });

  it('reads undici 7 and Node-bundled 6.x arrays, undici 5 / 6.0 header lines, node:http header objects', () => {
    const value = `00-${TRACE}-${SPAN}-01`;
    expect(spanIdsIn(['content-type', 'application/json', 'traceparent', value])).to.deep.equal([SPAN]);
    expect(spanIdsIn(`content-type: application/json\r\ntraceparent: ${value}\r\n`)).to.deep.equal([SPAN]);
    expect(spanIdsIn({ 'content-type': 'application/json', traceparent: value })).to.deep.equal([SPAN]);
    expect(spanIdsIn({ traceparent: [value, `00-${TRACE}-${'c'.repeat(16)}-00`] })).to.deep.equal([SPAN, 'c'.repeat(16)]);
  });

  it('finds each of several trace contexts (an application header and the instrumentation’s) and stops when told', () => {
    const headers = ['traceparent', `00-${TRACE}-${'1'.repeat(16)}-01`, 'traceparent', `00-${TRACE}-${SPAN}-01`];
    expect(spanIdsIn(headers)).to.deep.equal(['1'.repeat(16), SPAN]);
    expect(findPropagatedSpanId(headers, spanId => spanId === '1'.repeat(16))).to.equal(true);
  });

  it('finds nothing in other headers, malformed values, or no headers', () => {
    expect(spanIdsIn(['content-type', `00-${TRACE}-${SPAN}-01`, 'traceparent', 'garbage'])).to.deep.equal([]);
    expect(spanIdsIn(['traceparent', `00-${TRACE}-short-01`])).to.deep.equal([]);
    for (const none of [undefined, null, 42, '']) expect(spanIdsIn(none)).to.deep.equal([]);
  });
});
