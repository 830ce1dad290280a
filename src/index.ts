export { VLLMSpanProcessor } from './processor';
export type { VLLMSpanProcessorOptions, TraceConfigOptions, SemconvFamily, ProcessorSpan, ProcessorReadableSpan, SpanProcessorLike } from './types';
