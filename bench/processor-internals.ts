/**
 * The processor's private parts that the bench experiments reach into (batched-rewrite.ts,
 * floor-rewrite.ts, paired.ts), typed from the class itself so that tsc notices when they change.
 */
import type { VLLMSpanProcessor } from '../src';

/** What the experiments use of a processor's private members. */
export interface ProcessorInternals {
  capture: VLLMSpanProcessor['capture'];
  rewrite: VLLMSpanProcessor['rewrite'];
}

/** A processor's private members, for the bench only. */
export function internalsOf(processor: VLLMSpanProcessor): ProcessorInternals {
  return processor as unknown as ProcessorInternals;
}
