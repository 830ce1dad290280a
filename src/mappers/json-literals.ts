/**
 * Reuse of the string literals a JSON text already holds. The GenAI content attributes repeat a
 * conversation's texts as JSON, and escaping a long text again (JSON.stringify, a few ns per
 * character) costs more than finding its literal in the body it came from and checking it.
 */

// Python's json.dumps writes `"key": value`, pydantic and JavaScript `"key":value`.
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Walks a JSON text's `"key": "..."` members in order; the text must be valid JSON (a body that
 * parsed, or JSON.stringify's output), so that every literal in it is. Each literal handed out is checked to
 * decode to the value asked for, so a wrong guess costs time, never correctness. Only moves
 * forward: once a value is not found, it gives up (callers escape the rest themselves), so the
 * search over one text stays linear.
 */
export class StringLiteralCursor {
  private readonly needle: string;
  private position = 0;
  private exhausted = false;

  constructor(private readonly text: string, key: string) {
    this.needle = `"${key}":`;
  }

  /** The JSON literal (quotes included) of the next `key` member whose value is `value`, or undefined. */
  next(value: string): string | undefined {
    if (this.exhausted) return undefined;
    const text = this.text;
    for (let at = text.indexOf(this.needle, this.position); at !== -1; at = text.indexOf(this.needle, at + 1)) {
      let start = at + this.needle.length;
      if (text.charCodeAt(start) === SPACE) start++;
      if (text.charCodeAt(start) !== QUOTE) continue;
      const end = closingQuote(text, start + 1);
      if (end === -1) break;
      const literal = text.slice(start, end + 1);
      if (decodesTo(literal, value)) {
        this.position = end + 1;
        return literal;
      }
    }
    this.exhausted = true;
    return undefined;
  }
}

// Below this many characters escaping costs about what finding the literal does (bench/micro.ts: 32 read the same or better than 256).
const MIN_REUSED_LENGTH = 32;

/** `value` as a JSON string literal: reused from `cursor`'s text where it holds it (all but short texts), else escaped. */
export function quoteJson(value: string, cursor: StringLiteralCursor | undefined): string {
  return (value.length >= MIN_REUSED_LENGTH ? cursor?.next(value) : undefined) ?? JSON.stringify(value);
}

/** The index of the quote that closes a literal whose text starts at `from`, or -1 when it is cut. */
function closingQuote(text: string, from: number): number {
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

/** Whether a JSON literal decodes to `value`: compared as it is when it holds no escape, else parsed. */
function decodesTo(literal: string, value: string): boolean {
  // An escape only lengthens a text: a shorter literal cannot hold it.
  if (literal.length - 2 < value.length) return false;
  if (literal.indexOf('\\') === -1) return literal.length - 2 === value.length && literal.slice(1, -1) === value;
  try {
    return JSON.parse(literal) === value;
  } catch {
    return false;
  }
}
