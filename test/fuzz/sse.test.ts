import { expect } from 'chai';
import { runs } from './fuzz-support';
import fc from 'fast-check';
import { forEachSseEvent, parseSse, SseFramer } from '../../src/interpret/sse';

type SseEvent = { data: string; event?: string };

/**
 * The WHATWG "event stream interpretation", written the obvious way: split into lines
 * (CRLF, LF or CR; a last line without terminator is not a line yet), then process
 * each line. Events still open at the end are discarded, as the spec says.
 */
function referenceParse(input: string): SseEvent[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' || c === '\n') {
      lines.push(line);
      line = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      line += c;
    }
  }
  const events: SseEvent[] = [];
  let data = '';
  let eventType = '';
  for (const current of lines) {
    if (current === '') {
      if (data !== '') {
        const event = eventType === '' ? { data: data.slice(0, -1) } : { data: data.slice(0, -1), event: eventType };
        events.push(event);
      }
      data = '';
      eventType = '';
      continue;
    }
    if (current.startsWith(':')) continue;
    const colon = current.indexOf(':');
    const field = colon === -1 ? current : current.slice(0, colon);
    let value = colon === -1 ? '' : current.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data += `${value}\n`;
    else if (field === 'event') eventType = value;
    // id, retry and unknown fields change nothing that is reported.
  }
  return events;
}

const LINE_ENDS = ['\n', '\r', '\r\n'];

/** One line of an event stream, biased towards the interesting shapes. */
const sseLine = fc.oneof(
  fc.tuple(fc.constantFrom('data', 'event', 'id', 'retry', 'dat', 'Data', 'data ', ''), fc.constantFrom(':', ': ', ':  ', ''), fc.string({ maxLength: 12 })).map(
    ([field, separator, value]) => `${field}${separator}${value}`,
  ),
  fc.string({ maxLength: 10 }).map(comment => `:${comment}`),
  fc.constant(''),
  fc.constant('data: [DONE]'),
  fc.string({ unit: fc.constantFrom('d', 'a', 't', ':', ' ', 'e', 'x', 'é', '\u{1F600}'), maxLength: 8 }),
);

/** Whole streams made of such lines, each with any of the three line ends, sometimes behind a BOM. */
const sseText = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(sseLine, fc.constantFrom(...LINE_ENDS)), { maxLength: 30 }), fc.constantFrom('', 'data: tail', '\r', 'event: x'))
  .map(([bom, lines, tail]) => (bom ? '\uFEFF' : '') + lines.map(([line, end]) => line + end).join('') + tail);

/** Text from an alphabet of the characters the parser branches on: finds the corner cases. */
const framingSoup = fc.string({ unit: fc.constantFrom('d', 'a', 't', 'e', 'v', 'n', ':', ' ', '\n', '\r', '\uFEFF', 'x'), maxLength: 60 });

describe('SSE parser (property)', () => {
  it('gives the same events as the WHATWG reference for generated streams', () => {
    fc.assert(
      fc.property(fc.oneof(sseText, framingSoup), text => {
        expect(parseSse(text)).to.deep.equal(referenceParse(text));
      }),
      runs(3000),
    );
  });

  it('never throws on arbitrary text, including lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), text => {
        expect(parseSse(text)).to.deep.equal(referenceParse(text));
      }),
      runs(1000),
    );
  });

  it('reports a prefix of the events for a stream cut at any offset', () => {
    fc.assert(
      fc.property(sseText, text => {
        const whole = parseSse(text);
        for (let cut = 0; cut <= text.length; cut++) {
          const events = parseSse(text.slice(0, cut));
          expect(whole.slice(0, events.length)).to.deep.equal(events);
        }
      }),
      runs(300),
    );
  });

  it('gives the same events for the text pushed in pieces as for the whole text, wherever it is cut', () => {
    const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
    fc.assert(
      fc.property(fc.oneof(sseText, framingSoup), cuts, (text, fractions) => {
        const offsets = [...new Set(fractions.map(fraction => Math.floor(fraction * text.length)))].sort((a, b) => a - b);
        const events: SseEvent[] = [];
        const framer = new SseFramer((data, event) => events.push(event === undefined ? { data } : { data, event }));
        let start = 0;
        for (const offset of [...offsets, text.length]) {
          framer.push(text.slice(start, offset));
          start = offset;
        }
        expect(events).to.deep.equal(referenceParse(text));
      }),
      runs(3000),
    );
  });

  it('reports each event as soon as the piece that completes it is pushed, and keeps only the open event', () => {
    const events: string[] = [];
    const framer = new SseFramer(data => events.push(data));
    framer.push('\uFEFFdata: 1\n');
    expect(events).to.deep.equal([]);
    framer.push('\ndata: 2\r');
    expect(events).to.deep.equal(['1']);
    framer.push('\n\r');
    expect(events).to.deep.equal(['1', '2']);
    framer.push('\n\uFEFFdata: 3\n\n');
    // A BOM is only skipped at the start of the body; later it is part of the field name.
    expect(events).to.deep.equal(['1', '2']);
  });

  it('joins multi-line data with "\\n" and keeps the event name of each event', () => {
    const text = 'event: a\r\ndata: 1\r\ndata:2\r\n\r\n: keep-alive\rid: 7\rretry: 10\rdata\r\revent: b\ndata:  3\n\n';
    expect(parseSse(text)).to.deep.equal([{ data: '1\n2', event: 'a' }, { data: '' }, { data: ' 3', event: 'b' }]);
  });

  it('reads each line once: a body of colon-free or CR-free lines takes linear time', () => {
    // Each of these used to make every line scan to the end of the text (a 4 MiB body took minutes).
    const lines = 200_000;
    const bodies = ['x\n'.repeat(lines) + 'data: a\n\n', 'data: a\n\n'.repeat(lines) + '\r', 'data: a\r\r'.repeat(lines) + '\n'];
    for (const body of bodies) {
      let count = 0;
      forEachSseEvent(body, () => count++);
      expect(count).to.be.greaterThan(0);
    }
  });
});
