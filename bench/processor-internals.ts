/**
 * The processor's private parts that the call-by-call bench reaches into (floor-rewrite.ts,
 * paired.ts), typed from the class itself so that tsc notices when they change.
 */
import type { VLLMSpanProcessor } from '../src';

type Rewrite = VLLMSpanProcessor['rewrite'];

/** What the bench uses of a processor's private members. */
export interface ProcessorInternals {
  capture: VLLMSpanProcessor['capture'];
  /** The class's own rewrite, bound to the processor. */
  rewriteOf: Rewrite;
  /** Puts another rewrite in the processor's place for the calls that follow (`undefined`: its own again). */
  replaceRewrite(rewrite: Rewrite | undefined): void;
}

/** A processor's private members, for the bench only. */
export function internalsOf(processor: VLLMSpanProcessor): ProcessorInternals {
  const target = processor as unknown as { capture: ProcessorInternals['capture']; rewrite: Rewrite };
  const own = Object.getPrototypeOf(processor).rewrite as Rewrite;
  return {
    capture: target.capture,
    rewriteOf: own.bind(processor),
    replaceRewrite: rewrite => {
      // An own property shadows the class's method: the capture's completion callback calls `this.rewrite`.
      if (rewrite === undefined) delete (target as Partial<typeof target>).rewrite;
      else target.rewrite = rewrite;
    },
  };
}
