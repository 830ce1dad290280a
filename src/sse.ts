/**
 * Server-sent events framing (WHATWG HTML "event stream interpretation"), for a body
 * that was captured whole. Only complete events are reported: an event still open at
 * the end of the text was cut (by the byte cap or the connection) and is dropped.
 */

/** Receives each dispatched event: its `data` lines joined by "\n", and its `event:` name if any. */
export type SseEventHandler = (data: string, eventName: string | undefined) => void;

/** Calls `onEvent` for every complete event in `text`, in order. Never throws on malformed input. */
export function forEachSseEvent(text: string, onEvent: SseEventHandler): void {
  let data: string | undefined;
  let eventName: string | undefined;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a leading BOM is ignored
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
      return; // unterminated last line: the event is incomplete
    }
    if (end === start) {
      if (data !== undefined) onEvent(data, eventName);
      data = undefined;
      eventName = undefined;
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
}

/** Collects every complete event of `text` into an array (tests and small bodies). */
export function parseSse(text: string): Array<{ data: string; event?: string }> {
  const events: Array<{ data: string; event?: string }> = [];
  forEachSseEvent(text, (data, event) => events.push(event === undefined ? { data } : { data, event }));
  return events;
}
