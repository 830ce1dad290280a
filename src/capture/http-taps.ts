import type { CaptureRecord } from './capture-record';
import { writtenBytes, type ClientRequestLike, type IncomingMessageLike } from './http-request';
import type { CaptureListener } from './channel-capture';

/**
 * Own-property taps on one linked node:http request and its response: each calls the original
 * with the same arguments and returns what it returned, so the bytes, their order and the
 * back-pressure the app sees are unchanged, and no listener is added (a `data` listener would
 * switch the response to flowing mode and lose bytes the app has not asked for yet).
 */

/** Sees every request body chunk the app writes (`write`, `end`, and `pipe`, which calls `write`). */
export function tapRequestBody(request: ClientRequestLike, record: CaptureRecord, listener: Pick<CaptureListener, 'onInternalError'>): void {
  const write = request.write;
  const end = request.end;
  request.write = function tappedWrite(this: unknown, ...args: unknown[]) {
    const result = write.apply(this, args);
    keep(args[0], args[1], 'write');
    return result;
  };
  // `end` writes its chunk itself, without calling `write`: it is seen once.
  request.end = function tappedEnd(this: unknown, ...args: unknown[]) {
    const result = end.apply(this, args);
    keep(args[0], args[1], 'end');
    return result;
  };

  function keep(chunk: unknown, encoding: unknown, where: string): void {
    try {
      if (record.finished || record.requestBody.truncated) return;
      const bytes = writtenBytes(chunk, encoding);
      if (bytes !== undefined) record.requestBody.append(bytes);
    } catch (error) {
      listener.onInternalError(where, error);
    }
  }
}

/**
 * Sees every response body chunk as the HTTP parser pushes it (`push(null)` at its end, before
 * `end` can be emitted) and a destroy before the body is complete (reset or abort, before
 * `error`/`close` are emitted): both run before instrumentation-http ends the span.
 */
export function tapResponse(
  request: ClientRequestLike,
  response: IncomingMessageLike,
  record: CaptureRecord,
  listener: Pick<CaptureListener, 'onInternalError' | 'onCompleted'>,
): void {
  const push = response.push;
  const destroy = response.destroy;
  response.push = function tappedPush(this: unknown, ...args: unknown[]) {
    const chunk = args[0];
    if (chunk === null) {
      // All body bytes were pushed; `end` is emitted on a later tick at the earliest.
      try {
        if (!record.finished) listener.onCompleted(record);
      } catch (error) {
        listener.onInternalError('response end', error);
      }
      return push.apply(this, args);
    }
    // The original runs first and unguarded: its return value is back-pressure, its throw is Node's.
    const result = push.apply(this, args);
    try {
      if (!record.finished && (typeof chunk === 'string' || chunk instanceof Uint8Array)) record.addResponseChunk(chunk);
    } catch (error) {
      listener.onInternalError('response push', error);
    }
    return result;
  };
  response.destroy = function tappedDestroy(this: unknown, ...args: unknown[]) {
    const error = args[0];
    try {
      if (!record.finished && response.complete !== true) {
        const cause = error as (Error & { code?: string }) | undefined;
        record.transportError = {
          type: String(cause?.name || 'Error'),
          message: String(cause?.message ?? 'aborted'),
          // The app let go of the response (destroy without an error, an AbortSignal, `request.abort()`): no error status.
          aborted: cause === undefined || cause === null || cause.name === 'AbortError' || request.aborted === true,
        };
        listener.onCompleted(record);
      }
    } catch (caught) {
      listener.onInternalError('response destroy', caught);
    }
    return destroy.apply(this, args);
  };
}
