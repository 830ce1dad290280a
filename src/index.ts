export { VLLMSpanProcessor } from './processor';
export { VLLMInstrumentation } from './instrumentation';
export { httpRequestHook } from './capture/http-request-hook';
export type { VLLMSpanProcessorOptions, TraceConfigOptions, SemconvFamily, ProcessorSpan, ProcessorReadableSpan, SpanProcessorLike,
  VLLMInstrumentationOptions, VLLMInstrumentationConfig, VLLMInstrumentationConfigBase } from './types';
