/**
 * Where a message repeats any of a set of texts, in whole or in part: the ranges of
 * `message` that also occur in one of `texts`. Linear in the texts' length (a rolling
 * hash), since a request body can be megabytes while the message is short.
 */

/** A half-open range `[start, end)` of a string. */
export type Range = readonly [start: number, end: number];

// The hashed window: texts at least this long are also searched for shared runs.
const WINDOW = 16;
// Message windows are indexed every STEP characters: a shared run of WINDOW + STEP - 1 is always found.
const STEP = 4;
/** A shared run this long is always found (a shorter one may be, from `WINDOW` characters). */
export const SHARED_RUN_LENGTH = WINDOW + STEP - 1;
/** A whole text shorter than this is not searched for: it would match ordinary words. */
export const MIN_WHOLE_LENGTH = 4;
// Texts shorter than SHARED_RUN_LENGTH are searched whole, one by one: a bound on the work for a request of many short strings.
const MAX_SHORT_TEXTS = 4096;

const BASE = 131;
const MODULUS = 1_000_000_007;
// Never in a message taken from JSON text: separates the texts so that no run spans two.
const SEPARATOR = '\u0000';

/**
 * The ranges of `message` that repeat one of `texts` whole (from `MIN_WHOLE_LENGTH`
 * characters) or share a run of `SHARED_RUN_LENGTH` characters or more with one, extended to
 * the whole shared run. Overlapping ranges are not merged.
 */
export function sharedRanges(message: string, texts: readonly string[]): Range[] {
  const ranges: Range[] = [];
  let shortTexts = 0;
  for (const text of texts) {
    if (text.length < MIN_WHOLE_LENGTH || text.length >= SHARED_RUN_LENGTH || shortTexts++ >= MAX_SHORT_TEXTS) continue;
    for (let at = message.indexOf(text); at !== -1; at = message.indexOf(text, at + 1)) ranges.push([at, at + text.length]);
  }
  if (message.length >= WINDOW) findSharedRuns(message, texts.filter(text => text.length >= WINDOW).join(SEPARATOR), ranges);
  return ranges;
}

/** Pushes to `ranges` every maximal run that `message` shares with `haystack`, found from an indexed window of the message. */
function findSharedRuns(message: string, haystack: string, ranges: Range[]): void {
  if (haystack.length < WINDOW) return;
  const anchors = new Map<number, number[]>();
  for (let at = 0; at + WINDOW <= message.length; at += STEP) {
    const hash = hashOf(message, at);
    const list = anchors.get(hash);
    if (list === undefined) anchors.set(hash, [at]);
    else list.push(at);
  }
  const power = powerOfBase(WINDOW - 1);
  // Message positions inside a run already found: each run is extended once, not once per window.
  const covered = new Uint8Array(message.length);
  let hash = hashOf(haystack, 0);
  for (let at = 0; ; at++) {
    const candidates = anchors.get(hash);
    if (candidates !== undefined) {
      for (const anchor of candidates) {
        if (covered[anchor] === 1 || !sameWindow(message, anchor, haystack, at)) continue;
        const [start, end] = extend(message, anchor, haystack, at);
        ranges.push([start, end]);
        covered.fill(1, start, end);
      }
    }
    if (at + WINDOW >= haystack.length) return;
    // A window across a separator matches nothing: the message holds no separator.
    hash = (hash - ((haystack.charCodeAt(at) * power) % MODULUS) + MODULUS) % MODULUS;
    hash = (hash * BASE + haystack.charCodeAt(at + WINDOW)) % MODULUS;
  }
}

function hashOf(text: string, at: number): number {
  let hash = 0;
  for (let i = at; i < at + WINDOW; i++) hash = (hash * BASE + text.charCodeAt(i)) % MODULUS;
  return hash;
}

function powerOfBase(exponent: number): number {
  let power = 1;
  for (let i = 0; i < exponent; i++) power = (power * BASE) % MODULUS;
  return power;
}

function sameWindow(message: string, at: number, haystack: string, haystackAt: number): boolean {
  for (let i = 0; i < WINDOW; i++) if (message.charCodeAt(at + i) !== haystack.charCodeAt(haystackAt + i)) return false;
  return true;
}

/** The message range of the maximal shared run through two matching windows. */
function extend(message: string, at: number, haystack: string, haystackAt: number): [number, number] {
  let start = at;
  let back = haystackAt;
  while (start > 0 && back > 0 && message.charCodeAt(start - 1) === haystack.charCodeAt(back - 1)) {
    start--;
    back--;
  }
  let end = at + WINDOW;
  let forward = haystackAt + WINDOW;
  while (end < message.length && forward < haystack.length && message.charCodeAt(end) === haystack.charCodeAt(forward)) {
    end++;
    forward++;
  }
  return [start, end];
}
