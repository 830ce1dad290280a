import type { SchemaValidator } from '../interpret/validation';
import type { ValidationDetail } from '../wire/error';

/** An error vLLM reported, reduced to what the span records. */
export interface ReportedError {
  message: string;
  /** vLLM's error type (`BadRequestError`, ...) when the body names one. */
  type: string | undefined;
}

/** `error.type` of FastAPI's 422 body: the exception FastAPI raises for it, as vLLM names its own by class. */
export const REQUEST_VALIDATION_ERROR = 'RequestValidationError';

// A 422 can list one error per field; the status message names the first few.
const MAX_LISTED_DETAILS = 3;

/**
 * Reads vLLM's error bodies: nested `{"error":{...}}` (>= ~0.10 and mid-stream), flat
 * `{"object":"error",...}` (<= ~0.9), the auth middleware's `{"error":"Unauthorized"}`, and
 * FastAPI's `{"detail": ...}` (an unknown route: its text, the type left to the HTTP status;
 * request validation: each error's location and message, never its `input`).
 */
export function readErrorBody(body: unknown, validator: SchemaValidator): ReportedError | undefined {
  if (validator.is('error-nested', body)) return { message: body.error.message, type: body.error.type ?? undefined };
  if (validator.is('error-flat', body)) return { message: body.message, type: body.type ?? undefined };
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
    return { message: (body as { error: string }).error, type: undefined };
  }
  if (validator.is('error-detail', body)) {
    const detail = body.detail;
    return typeof detail === 'string' ? { message: detail, type: undefined } : { message: describeDetails(detail), type: REQUEST_VALIDATION_ERROR };
  }
  return undefined;
}

/** `body.messages: Field required; body.max_tokens: Input should be ...` (+N more). */
function describeDetails(details: readonly ValidationDetail[]): string {
  const listed = details.slice(0, MAX_LISTED_DETAILS).map(detail => {
    const location = detail.loc?.join('.');
    return location ? `${location}: ${detail.msg}` : detail.msg;
  });
  const more = details.length > MAX_LISTED_DETAILS ? ` (+${details.length - MAX_LISTED_DETAILS} more)` : '';
  return listed.join('; ') + more;
}
