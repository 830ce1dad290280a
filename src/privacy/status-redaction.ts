import { requestTexts, type EchoScope } from './request-texts';
import { MIN_WHOLE_LENGTH, sharedRanges, type Range } from './shared-substrings';
import { REDACTED_VALUE } from './trace-config';

/**
 * An error description with what it repeats of the request replaced by `__REDACTED__`:
 * vLLM's 400s quote the prompt or an image URL in many forms (pydantic's `'input': ...`,
 * `Invalid content: '...'`, `url='...'`, or the text itself). A description that repeats
 * nothing keeps every character.
 */

// pydantic's validation errors repeat the whole input as a Python literal that cannot be delimited safely.
const WHOLE_INPUT_ECHO = /'input':|"input":|input_value=/;

// A quoted span, either quote kind, backslash escapes; an apostrophe inside a word ("model's") neither opens nor closes one.
const QUOTED = /(?<!\w)'((?:[^'\\]|\\.|'(?=\w))*)'(?!\w)|(?<!\w)"((?:[^"\\]|\\.)*)"(?!\w)/gs;

// Labels that say the quote after them is what the request sent.
const CONTENT_LABELS = 'content|url|image_url|image|prompt|text|input|query|documents?|messages?|instructions|value|arguments|data';
const IMAGE_LABELS = 'url|image_url|image';
const LABEL_LOOKBEHIND = 40;

// URLs and data URLs: a request's image, or a page its text points to.
// A trailing `.`, `:`, `)`... ends the sentence, not the URL.
const URL_OR_DATA = /\b(?:https?|ftp|file):\/\/[^\s'"<>]*[^\s'"<>.,;:!?)\]]|\bdata:[\w.+-]+\/[\w.+-]+[^\s'"]*[^\s'".,;:!?)\]]/gi;

const labelBefore = (labels: string): RegExp => new RegExp(`(?:${labels})\\s*[:=]\\s*$`, 'i');
const openLabelledQuote = (labels: string): RegExp => new RegExp(`(?:${labels})\\s*[:=]\\s*['"]`, 'gi');
const LABELS_OF: Readonly<Record<EchoScope, { before: RegExp; open: RegExp }>> = {
  all: { before: labelBefore(CONTENT_LABELS), open: openLabelledQuote(CONTENT_LABELS) },
  images: { before: labelBefore(IMAGE_LABELS), open: openLabelledQuote(IMAGE_LABELS) },
};

/**
 * `message` without what it repeats of `request` (the request body as sent, possibly cut by
 * the capture cap) in `scope`: every URL; every occurrence of a request string of 4 characters
 * or more and every run of 19 or more characters shared with one; every quoted span that is
 * labelled as content, overlaps such a range or quotes part of a request string. When the
 * request is not known or not readable, every quoted span goes (scope `all`). May throw on
 * a pathological input; callers hide the whole message then.
 */
export function redactInputEchoes(message: string, request: string | undefined, scope: EchoScope): string {
  if (scope === 'all' && WHOLE_INPUT_ECHO.test(message)) return REDACTED_VALUE;
  const texts = request === undefined ? undefined : requestTexts(request, scope);
  const ranges: Range[] = [];
  for (const match of message.matchAll(URL_OR_DATA)) ranges.push([match.index, match.index + match[0].length]);
  if (texts !== undefined) ranges.push(...sharedRanges(message, withEscapedForms(texts)));
  const labels = LABELS_OF[scope];
  const unknownRequest = texts === undefined && scope === 'all';
  const joined = texts?.join('\u0000');
  const quoteStarts = new Set<number>();
  const quoteRanges: Range[] = [];
  for (const match of message.matchAll(QUOTED)) {
    quoteStarts.add(match.index);
    const inside: Range = [match.index + 1, match.index + match[0].length - 1];
    const content = match[1] ?? match[2];
    if (
      unknownRequest ||
      labels.before.test(message.slice(Math.max(0, match.index - LABEL_LOOKBEHIND), match.index)) ||
      overlaps(ranges, inside) ||
      (texts !== undefined && quotesRequest(content, texts, joined!))
    ) {
      quoteRanges.push(inside);
    }
  }
  // A labelled quote that never closes: the message was cut inside the quoted input.
  for (const match of message.matchAll(labels.open)) {
    const quote = match.index + match[0].length - 1;
    if (!quoteStarts.has(quote)) quoteRanges.push([quote + 1, message.length]);
  }
  return replaceRanges(message, [...ranges, ...quoteRanges]);
}

/** The texts and, where they differ, the forms a message quotes them in: JSON-escaped (also ASCII-only) and Python-repr-escaped. */
function withEscapedForms(texts: readonly string[]): string[] {
  const forms = new Set(texts);
  for (const text of texts) {
    if (!/[\\'"\u0000-\u001f\u007f-\uffff]/.test(text)) continue;
    const json = JSON.stringify(text).slice(1, -1);
    forms.add(json);
    forms.add(json.replace(/[\u007f-\uffff]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
    forms.add(text.replace(/[\\'\n\r\t]/g, char => PYTHON_ESCAPES[char]));
  }
  return [...forms];
}

const PYTHON_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** True when a quoted span is a request string, or (from 4 characters) part of one, as written or unescaped. */
function quotesRequest(content: string, texts: readonly string[], joined: string): boolean {
  if (content === '') return false;
  for (const candidate of new Set([content, unescapePython(content)])) {
    if (texts.includes(candidate)) return true;
    if (candidate.length >= MIN_WHOLE_LENGTH && joined.includes(candidate)) return true;
  }
  return false;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };

function unescapePython(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/gs, (_, char: string) => ESCAPES[char] ?? char) : text;
}

function overlaps(ranges: readonly Range[], [start, end]: Range): boolean {
  return ranges.some(([from, to]) => from < end && to > start);
}

/** `text` with each range (overlapping or touching ones merged) replaced by `__REDACTED__`. */
function replaceRanges(text: string, ranges: Range[]): string {
  const sorted = ranges.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) return text;
  let result = '';
  let position = 0;
  let index = 0;
  while (index < sorted.length) {
    let [start, end] = sorted[index++];
    while (index < sorted.length && sorted[index][0] <= end) end = Math.max(end, sorted[index++][1]);
    start = Math.max(start, position);
    result += text.slice(position, start) + REDACTED_VALUE;
    position = end;
  }
  return result + text.slice(position);
}
