import * as diagnosticsChannel from 'diagnostics_channel';

/**
 * Where `httpRequestHook` hands a new node:http client request to every VLLMSpanProcessor: the
 * same message as Node's `http.client.request.created` (Node >= 22), which Node 20 lacks.
 * `Symbol.for`-like global name, so that two copies of this package (CJS and ESM) share it.
 */
export const HTTP_REQUEST_CREATED_CHANNEL = '@traceai/vllm:http.client.request.created';

const channel = diagnosticsChannel.channel(HTTP_REQUEST_CREATED_CHANNEL);

/**
 * A `requestHook` for `@opentelemetry/instrumentation-http`, needed on Node 20 only: it runs
 * right after the request is made and before the app writes its body, which Node 20 publishes
 * no channel for, so that the request body can be captured there too. Harmless on Node >= 22.
 * Never throws.
 */
export function httpRequestHook(_span: unknown, request: unknown): void {
  try {
    // Outgoing requests only: for a server span the hook gets an IncomingMessage, which has no getHeaders.
    if (channel.hasSubscribers && typeof (request as { getHeaders?: unknown })?.getHeaders === 'function') channel.publish({ request });
  } catch {
    // A subscriber guards itself; nothing here may reach the instrumentation.
  }
}
