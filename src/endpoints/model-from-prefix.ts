/**
 * The top-level `"model"` of a JSON object whose text is cut (a request body over the cap) or
 * otherwise unparsable. vLLM clients (the openai SDK, LangChain, curl examples) send the model
 * first, so the scan usually stops within the first bytes; it walks the text once, skipping
 * strings with `indexOf`, and gives up at the first thing that is not JSON-like.
 */

/** Longest model name read (the schemas' bound on `model`). */
const MAX_MODEL_CHARS = 4096;

/** The string value of the top-level `model` key, if it appears complete in `text`. */
export function readModelFromJsonPrefix(text: string): string | undefined {
  let i = skipBlank(text, 0);
  if (text.charCodeAt(i) !== 0x7b /* { */) return undefined;
  i++;
  let depth = 1;
  // Outside strings only structure is scanned, so the loop is short; strings are jumped over.
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end === -1) return undefined;
      if (depth === 1 && end - i === 6 && text.startsWith('"model"', i)) {
        const colon = skipBlank(text, end + 1);
        if (text.charCodeAt(colon) === 0x3a /* : */) {
          const start = skipBlank(text, colon + 1);
          if (text.charCodeAt(start) !== 0x22) return undefined;
          const valueEnd = stringEnd(text, start);
          if (valueEnd === -1 || valueEnd - start > MAX_MODEL_CHARS + 2) return undefined;
          return parseString(text.slice(start, valueEnd + 1));
        }
      }
      i = end + 1;
    } else {
      if (code === 0x7b || code === 0x5b /* { [ */) depth++;
      else if (code === 0x7d || code === 0x5d /* } ] */) {
        depth--;
        if (depth === 0) return undefined;
      }
      i++;
    }
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`, or -1 when it is cut. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
    i++;
  }
  return i;
}

function parseString(literal: string): string | undefined {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
