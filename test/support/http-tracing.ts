import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { TracingSetup, type TracingSetupOptions } from './tracing';

/** Options of a node:http tracing setup. */
export type HttpTracingOptions = TracingSetupOptions<HttpInstrumentationConfig>;

/** The node:http setup: HttpInstrumentation → provider → VLLMSpanProcessor + in-memory exporter. */
export class HttpTracing extends TracingSetup<HttpInstrumentation, HttpInstrumentationConfig> {
  constructor(options: HttpTracingOptions = {}) {
    super(options, config => {
      // The test server stands for vLLM in another process: its incoming requests are not the app's spans.
      const instrumentation = new HttpInstrumentation({ disableIncomingRequestInstrumentation: true, ...config });
      // The hook patches node:http when it is next required; the clients hold the same module object.
      require('http');
      require('https');
      return instrumentation;
    });
  }
}
