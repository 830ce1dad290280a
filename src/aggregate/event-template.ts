import { parseJson } from '../interpret/body';

/**
 * The text of one stream event around its one varying JSON string. The token chunks of a
 * vLLM stream repeat every byte (id, created, model, index, nulls) except the token itself,
 * so an event whose text is this template's prefix, one JSON string literal, and this
 * template's suffix is the template's event with that string in place of the token: it is
 * folded without JSON.parse or validation, the largest share of a stream's cost otherwise.
 * A template is only built after a probe parse proved where the token's string sits, so a
 * match means exactly what parsing the event would have meant.
 */
export class EventTemplate<Event> {
  private constructor(
    /** The parsed event the template was made from. */
    readonly event: Event,
    private readonly prefix: string,
    private readonly suffix: string,
  ) {}

  /**
   * The template of `text` (the source of `event`) whose hole is the string value right after
   * `marker`, e.g. `"delta":{"content":`; undefined unless `marker` occurs once, is followed by
   * a string, and `readHole` of the probe event (the template with another string there) gives
   * that other string.
   */
  static fromEvent<Event>(event: Event, text: string, marker: string, readHole: (probe: unknown) => unknown): EventTemplate<Event> | undefined {
    const markerAt = text.indexOf(marker);
    if (markerAt === -1 || text.indexOf(marker, markerAt + 1) !== -1) return undefined;
    const holeStart = markerAt + marker.length;
    const holeEnd = stringLiteralEnd(text, holeStart);
    if (holeEnd === -1) return undefined;
    // Slices of the body's text, which lives as long as the stream mapper that holds the template.
    const prefix = text.slice(0, holeStart);
    const suffix = text.slice(holeEnd);
    const probeValue = text.slice(holeStart, holeEnd) === '""' ? 'probe' : '';
    const probe = parseJson(prefix + JSON.stringify(probeValue) + suffix);
    return readHole(probe) === probeValue ? new EventTemplate(event, prefix, suffix) : undefined;
  }

  /** The string `text` holds in the template's hole, or undefined when `text` does not fit the template. */
  match(text: string): string | undefined {
    const holeEnd = text.length - this.suffix.length;
    // Slices compared with ===, not startsWith/endsWith: those take microseconds on sliced strings in V8.
    if (holeEnd - this.prefix.length < 2 || text.slice(0, this.prefix.length) !== this.prefix || text.slice(holeEnd) !== this.suffix) return undefined;
    const literal = text.slice(this.prefix.length, holeEnd);
    if (literal.charCodeAt(0) !== QUOTE || literal.charCodeAt(literal.length - 1) !== QUOTE) return undefined;
    const inner = literal.slice(1, -1);
    // Nothing to unescape (the common token): the characters are the value.
    if (!needsParsing(inner)) return inner;
    // One JSON string literal, escapes and all, or something else that goes the slow way.
    const value = parseJson(literal);
    return typeof value === 'string' ? value : undefined;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when `inner` holds a character that a JSON string literal escapes (a control character)
 * or that starts an escape or ends the literal (`\`, `"`). A loop, not a RegExp: tokens are a few
 * characters, and the loop is compiled into `match` instead of calling the regex engine per chunk.
 */
function needsParsing(inner: string): boolean {
  for (let i = 0; i < inner.length; i++) {
    const code = inner.charCodeAt(i);
    if (code < 0x20 || code === QUOTE || code === BACKSLASH) return true;
  }
  return false;
}

/** Index after the string literal that opens at `start`, or -1 when none does. */
function stringLiteralEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== QUOTE) return -1;
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

