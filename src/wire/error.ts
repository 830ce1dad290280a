/** vLLM's error bodies: flat up to ~0.9, nested from ~0.10. */

/** `{"object":"error","message",...}` (vLLM <= ~0.9). */
export interface FlatError {
  object: 'error';
  message: string;
  type?: string | null;
  param?: string | null;
  code?: number | string | null;
}

/** `{"error":{"message",...}}` (vLLM >= ~0.10, and mid-stream errors). */
export interface NestedError {
  error: { message: string; type?: string | null; param?: string | null; code?: number | string | null };
}

/** One pydantic validation error of FastAPI's 422 body. */
export interface ValidationDetail {
  msg: string;
  type?: string;
  loc?: Array<string | number>;
}

/** FastAPI's `{"detail": "Not Found"}` (HTTPException) or `{"detail": [...]}` (request validation, 422). */
export interface DetailError {
  detail: string | ValidationDetail[];
}
