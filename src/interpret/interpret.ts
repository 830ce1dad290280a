import { SpanStatusCode, type Attributes, type SpanStatus } from '@opentelemetry/api';
import * as A from '../attributes';
import { bodyText, isEventStream, parseJson } from './body';
import type { EndpointHandler, MappingContext, RequestMapping } from '../endpoints/endpoint-handler';
import { readModelFromJsonPrefix } from '../endpoints/model-from-prefix';
import { ENDPOINT_HANDLERS } from '../endpoints/registry';
import type { Exchange, LiveResponse, ProblemLog, SpanRewrite } from './exchange';
import { readErrorBody, type ReportedError } from '../mappers/error';
import { withFinishReason } from '../mappers/gen-ai-content';
import { StreamFold } from './stream-fold';

/** What `guarded` returns for a step that threw (already logged), as opposed to a body that failed its schema. */
const MAPPING_FAILED = Symbol('mapping failed');

/**
 * Turns one captured exchange into the rewrite of its span: the request gives model,
 * messages and parameters; the response (JSON or SSE) gives outputs, usage and status.
 * Whatever fails to decode, parse or validate is left out and reported to `log`; what
 * did validate is still mapped. Pure apart from `log`.
 */
export function interpretExchange(exchange: Exchange, context: MappingContext, log: ProblemLog): SpanRewrite {
  const handler = ENDPOINT_HANDLERS[exchange.endpoint];
  // What the mappers return is kept as returned, not copied into one object (see SpanRewrite).
  const sets: Attributes[] = [];
  const request = mapRequest(exchange, handler, context, log, sets);
  // Written last, so that it overrides what the mappers said, as before.
  const tail: Attributes = {};
  let status: SpanStatus | undefined;
  const fail = (error: ReportedError, fallbackType: string): void => {
    status = { code: SpanStatusCode.ERROR, message: error.message };
    tail[A.ERROR_TYPE] = error.type ?? fallbackType;
  };

  let streamCut = false;
  let streamMapped = false;
  // The stream's error event, if any, is the span's error; a fold that throws maps nothing.
  const mapStream = (fold: () => Pick<LiveResponse, 'finish'>): void => {
    streamMapped = true;
    const streamError = guarded(log, 'stream mapping', () => fold().finish(log, sets));
    if (streamError !== undefined && streamError !== MAPPING_FAILED) {
      fail(streamError, 'stream_error');
      streamCut = true;
    }
    streamCut ||= exchange.transportError !== undefined;
    if (exchange.timeToFirstChunk !== undefined) tail[A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = exchange.timeToFirstChunk;
  };

  // A body labelled SSE that opened like JSON was kept whole by the live fold: it is read whole, as what it is.
  const kept = exchange.liveResponse?.wholeBody();
  const live = kept === undefined ? exchange.liveResponse : undefined;
  const response = live === undefined ? bodyText(kept ?? exchange.responseBody, exchange.contentEncoding, exchange.maxDecodedBytes) : undefined;
  if (response?.problem !== undefined) log(`response body not decoded: ${response.problem}`);
  if (exchange.responseDecodeProblem !== undefined) log(`response body decoded only in part: ${exchange.responseDecodeProblem}`);
  const text = response?.text;
  const statusCode = exchange.statusCode;
  if (live !== undefined) {
    // Framed and folded while it arrived, a batch at a time (only SSE responses below 400 are).
    mapStream(() => live);
  } else if (text !== undefined && text !== '' && statusCode !== undefined) {
    if (statusCode >= 400) {
      const error = readErrorBody(parseJson(text), context.validator);
      if (error === undefined) log(`HTTP ${statusCode} body is not a vLLM error`);
      fail(error ?? { message: `HTTP ${statusCode}`, type: undefined }, String(statusCode));
    } else if (isEventStream(exchange.contentType, text)) {
      mapStream(() => StreamFold.of(handler, context, text));
    } else {
      const mapped = guarded(log, 'response mapping', () => handler.mapResponse(parseJson(text), context, request?.request, text));
      if (mapped === undefined) log(`response body fails its schema: ${context.validator.lastErrorText()}`);
      else if (mapped !== MAPPING_FAILED) {
        sets.push(mapped);
        tail[A.OUTPUT_VALUE] = text;
        tail[A.OUTPUT_MIME_TYPE] = 'application/json';
      }
    }
  }
  if (exchange.transportError !== undefined && !exchange.transportError.aborted) {
    // The connection failed: that is the span's error, whatever the body said so far.
    fail({ message: exchange.transportError.message, type: exchange.transportError.type }, 'Error');
  }
  if (exchange.requestTruncated || exchange.responseTruncated) tail[A.VLLM_CAPTURE_TRUNCATED] = true;
  // A stream cut before its last chunk: by an error or abort, or by maxBodyBytes (the call went on; how it ended is not known).
  if (streamCut) addFinishReasons(sets, tail, log, 'error');
  else if (streamMapped && exchange.responseTruncated) addFinishReasons(sets, tail, log, 'unknown');
  sets.push(tail);
  const model = request?.model;
  return new Rewrite(model === undefined ? handler.operation : `${handler.operation} ${model}`, handler.startAttributes, sets, status);
}

/** A cut stream's unfinished `gen_ai.output.messages` end with `finish_reason: reason`, as their schema requires one. */
function addFinishReasons(sets: readonly Attributes[], tail: Attributes, log: ProblemLog, reason: string): void {
  let messages: unknown;
  for (let i = sets.length - 1; i >= 0 && messages === undefined; i--) messages = sets[i][A.GEN_AI_OUTPUT_MESSAGES];
  if (typeof messages !== 'string') return;
  const patched = guarded(log, 'output messages finish reason', () => withFinishReason(messages, reason));
  if (typeof patched === 'string') tail[A.GEN_AI_OUTPUT_MESSAGES] = patched;
}

/** A SpanRewrite whose merged attributes are only built when someone reads them. */
class Rewrite implements SpanRewrite {
  constructor(
    readonly name: string,
    readonly startAttributes: Attributes,
    readonly attributeSets: readonly Attributes[],
    readonly status: SpanStatus | undefined,
  ) {}

  get attributes(): Attributes {
    return Object.assign({}, this.startAttributes, ...this.attributeSets);
  }

  /** The merged view, as logs and golden files show a rewrite. */
  toJSON(): { name: string; attributes: Attributes; status?: SpanStatus } {
    return { name: this.name, attributes: this.attributes, status: this.status };
  }
}

function mapRequest(exchange: Exchange, handler: EndpointHandler, context: MappingContext, log: ProblemLog, sets: Attributes[]): RequestMapping | undefined {
  const request = bodyText(exchange.requestBody);
  if (request.text === undefined || request.text === '') {
    log('request body not captured');
    return undefined;
  }
  sets.push({ [A.INPUT_VALUE]: request.text, [A.INPUT_MIME_TYPE]: 'application/json' });
  const text = request.text;
  const body = parseJson(text);
  const mapped = guarded(log, 'request mapping', () => handler.mapRequest(body, context, text));
  if (mapped === MAPPING_FAILED) return undefined;
  if (mapped !== undefined) {
    sets.push(mapped.attributes);
    return mapped;
  }
  // What is wrong is logged before salvaging: salvaging validates again and forgets it.
  if (body === undefined) {
    log(exchange.requestTruncated ? 'request body cut by maxBodyBytes: not JSON' : 'request body is not JSON');
  } else {
    log(`request body fails its schema: ${context.validator.lastErrorText()}`);
  }
  // A cut or broken body still names its model when "model" came before the fault (clients send it first).
  const salvageable = body ?? modelOnly(readModelFromJsonPrefix(text));
  const salvaged = guarded(log, 'request salvage', () => (salvageable === undefined ? undefined : handler.salvageRequest(salvageable, context, salvageBudget(text.length))));
  if (salvaged === undefined || salvaged === MAPPING_FAILED) return undefined;
  log(`request mapped without ${salvaged.dropped.length === 0 ? 'anything' : salvaged.dropped.join(', ')}`);
  sets.push(salvaged.mapping.attributes);
  return salvaged.mapping;
}

function modelOnly(model: string | undefined): { model: string } | undefined {
  return model === undefined ? undefined : { model };
}

/** Tries at repairing a failed request: each validates the whole body again, so fewer for a large one. */
function salvageBudget(length: number): number {
  return length > 256 * 1024 ? 3 : 16;
}

/**
 * Runs one mapping step so that a throw maps nothing instead of losing the whole span: a value
 * nested thousands deep validates but overflows the stack in JSON.stringify, for one.
 */
function guarded<T>(log: ProblemLog, step: string, map: () => T): T | typeof MAPPING_FAILED {
  try {
    return map();
  } catch (error) {
    log(`${step} failed: ${String(error)}`);
    return MAPPING_FAILED;
  }
}
