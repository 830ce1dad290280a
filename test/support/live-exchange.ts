import { LiveStreamFold, foldsAsItArrives } from '../../src/interpret/stream-fold';
import { ENDPOINT_HANDLERS } from '../../src/endpoints/registry';
import type { MappingContext } from '../../src/endpoints/endpoint-handler';
import type { Exchange } from '../../src/interpret/exchange';

/**
 * The exchange as the processor sees it when it folds an SSE response while it arrives: the
 * body written to a LiveStreamFold in pieces of `pieceBytes` (cutting events and UTF-8
 * characters), each folded at once (the processor folds batches of them; every piece's end is
 * a place a batch can end). Undefined for a response the processor keeps whole.
 */
export function asLiveExchange(exchange: Exchange, context: MappingContext, pieceBytes = 64): Exchange | undefined {
  if (!foldsAsItArrives(exchange)) return undefined;
  const live = new LiveStreamFold(ENDPOINT_HANDLERS[exchange.endpoint], context, 0);
  for (let start = 0; start < exchange.responseBody.length; start += pieceBytes) live.write(exchange.responseBody.subarray(start, start + pieceBytes));
  return { ...exchange, responseBody: Buffer.alloc(0), liveResponse: live };
}
