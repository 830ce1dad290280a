import type { SchemaValidator } from '../validation';

/** An error vLLM reported, reduced to what the span records. */
export interface ReportedError {
  message: string;
  /** vLLM's error type (`BadRequestError`, ...) when the body names one. */
  type: string | undefined;
}

/**
 * Reads vLLM's error bodies: nested `{"error":{...}}` (>= ~0.10 and mid-stream), flat
 * `{"object":"error",...}` (<= ~0.9), and the auth middleware's `{"error":"Unauthorized"}`.
 */
export function readErrorBody(body: unknown, validator: SchemaValidator): ReportedError | undefined {
  if (validator.is('error-nested', body)) return { message: body.error.message, type: body.error.type ?? undefined };
  if (validator.is('error-flat', body)) return { message: body.message, type: body.type ?? undefined };
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
    return { message: (body as { error: string }).error, type: undefined };
  }
  return undefined;
}
