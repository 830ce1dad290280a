/**
 * The least a rewrite of the benchmark's calls could do, for bench/paired.ts: the processor's own
 * capture (link, byte capture, release), the bodies decoded, every byte looked at once (a chat
 * call's two bodies parsed; a stream's token texts cut out by `indexOf`, without checking the
 * rest of each event), and the attributes the processor wrote for its first call of this workload
 * set again with `setAttribute`. No validation, no mapping, no policy: what it costs is what any
 * rewrite pays before doing its own work. It takes the place of the processor's private `rewrite`,
 * which the capture calls when a request completes. Bench only: it reads package internals.
 */
import type { Attributes } from '@opentelemetry/api';
import { internalsOf } from './processor-internals';
import type { VLLMSpanProcessor } from '../src';
import type { CaptureRecord } from '../src/capture/capture-record';
import type { LiveStreamFold } from '../src/interpret/stream-fold';

/** A stream's chunks not folded yet (LiveStreamFold's private state; under 64 KiB here, so all of them). */
interface HeldChunks {
  batch: LiveStreamFold['batch'];
  batchBytes: LiveStreamFold['batchBytes'];
}

const CONTENT_MARKER = '"content":"';

/** Rewrites like the processor (whose span writes it copies) but does only the unavoidable work. */
export class FloorRewrite {
  private name = '';
  /** What the processor wrote on its first call: every call of a workload gets the same attributes. */
  private attributes: Attributes | undefined;
  /** Something computed from every call, so that nothing is optimised away. */
  checksum = 0;

  constructor(private readonly processor: VLLMSpanProcessor) {}

  /** The processor's own rewrite; the first time, it also notes what it wrote, for the floor to write again. */
  readonly processorRewrite = (record: CaptureRecord): void => {
    const rewrite = internalsOf(this.processor).rewriteOf;
    if (this.attributes !== undefined) return rewrite(record);
    const span = record.span;
    const before = new Set(Object.keys(span.attributes));
    rewrite(record);
    this.name = span.name;
    this.attributes = Object.fromEntries(Object.entries(span.attributes).filter(([key]) => !before.has(key)));
  };

  /** The floor's rewrite. */
  readonly floorRewrite = (record: CaptureRecord): void => {
    const capture = internalsOf(this.processor).capture;
    if (record.finished) return;
    const span = record.span;
    const held = record.liveResponse as unknown as HeldChunks | undefined;
    if (held === undefined) {
      const exchange = record.toExchange();
      this.checksum += Object.keys(JSON.parse(exchange.requestBody.toString('utf8'))).length;
      this.checksum += Object.keys(JSON.parse(exchange.responseBody.toString('utf8'))).length;
    } else {
      this.checksum += tokenTexts(Buffer.concat(held.batch, held.batchBytes).toString('utf8')).length;
    }
    const attributes = this.attributes ?? {};
    span.updateName(this.name);
    for (const key in attributes) span.setAttribute(key, attributes[key]!);
    capture.finish(record);
  };
}

/** Every `"content":"…"` value of a stream's text, joined (escapes left as they are). */
function tokenTexts(text: string): string {
  let joined = '';
  let at = text.indexOf(CONTENT_MARKER);
  while (at !== -1) {
    const start = at + CONTENT_MARKER.length;
    const end = text.indexOf('"', start);
    if (end === -1) break;
    joined += text.slice(start, end);
    at = text.indexOf(CONTENT_MARKER, end);
  }
  return joined;
}
