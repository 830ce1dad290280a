/**
 * Server-sent events framing (WHATWG HTML "event stream interpretation"), for a body captured
 * whole or pushed in pieces as it arrives. Only complete events are reported: an event still
 * open at the end of the text was cut (by the byte cap or the connection) and is dropped.
 */

/** Receives each dispatched event: its `data` lines joined by "\n", and its `event:` name if any. */
export type SseEventHandler = (data: string, eventName: string | undefined) => void;

/** Calls `onEvent` for every complete event in `text`, in order. Never throws on malformed input. */
export function forEachSseEvent(text: string, onEvent: SseEventHandler): void {
  frameEvents(text, text.charCodeAt(0) === BOM ? 1 : 0, onEvent);
}

/**
 * The same framing for a body that arrives in pieces: each `push` reports the events its text
 * completes and keeps the open event's text for the next one. Holds at most one event's text.
 */
export class SseFramer {
  private pending = '';
  private started = false;

  constructor(private readonly onEvent: SseEventHandler) {}

  /** Frames `text`, the body's next piece; the events it completes are reported before it returns. */
  push(text: string): void {
    const whole = this.pending + text;
    let from = 0;
    if (!this.started && whole !== '') {
      this.started = true;
      if (whole.charCodeAt(0) === BOM) from = 1; // only the body's first character can be its BOM
    }
    // No line end in the new piece: the open event cannot have ended, so nothing to frame again.
    if (this.pending !== '' && text.indexOf('\n') === -1 && text.indexOf('\r') === -1) {
      this.pending = whole;
      return;
    }
    const open = frameEvents(whole, from, this.onEvent);
    // An event split over many pieces is framed again with each one that has a line end: bounded by the byte cap.
    this.pending = open === whole.length ? '' : whole.slice(open);
  }
}

const BOM = 0xfeff;

/**
 * Frames the complete events of `text` from `start`; returns where the event still open at the
 * end begins (the text's length when none is), so that its lines can be framed again with more text.
 */
function frameEvents(text: string, start: number, onEvent: SseEventHandler): number {
  let data: string | undefined;
  let eventName: string | undefined;
  let open = start;
  const length = text.length;
  // Next LF, CR and ':' at or after `start`, searched again only once passed (-1: none left), so
  // that every character is scanned once: a hostile body of colon-free lines stays linear.
  let lf = -2;
  let cr = -2;
  let colon = -2;
  while (start < length) {
    if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    let end: number;
    let next: number;
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      // A CR ends the line even as the last character: a cut LF after it would only have paired with it.
      end = cr;
      next = text.charCodeAt(cr + 1) === 0x0a ? cr + 2 : cr + 1;
    } else if (lf !== -1) {
      end = lf;
      next = lf + 1;
    } else {
      return open; // unterminated last line: the event is incomplete
    }
    if (end === start) {
      if (data !== undefined) onEvent(data, eventName);
      data = undefined;
      eventName = undefined;
      open = next;
    } else if (text.charCodeAt(start) !== 0x3a /* ':' comment */) {
      if (colon !== -1 && colon < start) colon = text.indexOf(':', start);
      const fieldEnd = colon === -1 || colon > end ? end : colon;
      let valueStart = fieldEnd === end ? end : fieldEnd + 1;
      if (text.charCodeAt(valueStart) === 0x20 && valueStart < end) valueStart++;
      const field = text.slice(start, fieldEnd);
      if (field === 'data') {
        const value = text.slice(valueStart, end);
        data = data === undefined ? value : `${data}\n${value}`;
      } else if (field === 'event') {
        // An empty name means the default type, as if no `event:` line had come.
        eventName = valueStart === end ? undefined : text.slice(valueStart, end);
      }
      // `id:` and `retry:` carry nothing this package records.
    }
    start = next;
  }
  return open;
}

/** Collects every complete event of `text` into an array (tests and small bodies). */
export function parseSse(text: string): Array<{ data: string; event?: string }> {
  const events: Array<{ data: string; event?: string }> = [];
  forEachSseEvent(text, (data, event) => events.push(event === undefined ? { data } : { data, event }));
  return events;
}
