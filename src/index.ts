export { VLLMSpanProcessor } from './processor';
export type { VLLMSpanProcessorOptions, ProcessorSpan, ProcessorReadableSpan, SpanProcessorLike } from './types';
