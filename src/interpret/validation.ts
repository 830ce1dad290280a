/**
 * Type guards for vLLM wire bodies, backed by the JSON Schemas in `schemas/`.
 * One Ajv instance compiles every schema once, on the first `SchemaValidator`
 * construction; every later validator (one per processor) reuses those functions.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { SCHEMAS } from './schema-registry';
import type {
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatCompletionResponse,
  ChatMessage,
  Usage,
} from '../wire/chat';
import type {
  CompletionChunk,
  CompletionRequest,
  CompletionResponse,
  PromptInput,
} from '../wire/completion';
import type { EmbeddingRequest, EmbeddingResponse } from '../wire/embedding';
import type { DetailError, FlatError, NestedError } from '../wire/error';
import type {
  ClassifyRequest,
  ClassifyResponse,
  PoolingRequest,
  PoolingResponse,
  RerankRequest,
  RerankResponse,
  ScoreRequest,
  ScoreResponse,
} from '../wire/pooling';
import type { ResponsesRequest, ResponsesResponse, ResponsesStreamEvent } from '../wire/responses';

/** The wire type a body is guaranteed to have once it passed schema `id`. */
export interface WireTypeById {
  'chat-completion-request': ChatCompletionRequest;
  'chat-completion-response': ChatCompletionResponse;
  'chat-completion-chunk': ChatCompletionChunk;
  'chat-message': ChatMessage;
  usage: Usage;
  'error-detail': DetailError;
  'error-flat': FlatError;
  'error-nested': NestedError;
  'prompt-input': PromptInput;
  'completion-request': CompletionRequest;
  'completion-response': CompletionResponse;
  'completion-chunk': CompletionChunk;
  'embedding-request': EmbeddingRequest;
  'embedding-response': EmbeddingResponse;
  'pooling-request': PoolingRequest;
  'pooling-response': PoolingResponse;
  'classify-request': ClassifyRequest;
  'classify-response': ClassifyResponse;
  'score-request': ScoreRequest;
  'score-response': ScoreResponse;
  'rerank-request': RerankRequest;
  'rerank-response': RerankResponse;
  'responses-request': ResponsesRequest;
  'responses-response': ResponsesResponse;
  'responses-stream-event': ResponsesStreamEvent;
}

/** Id of a wire schema: the schema file name without `.json`. */
export type SchemaId = keyof WireTypeById;

type Validators = Readonly<Record<SchemaId, ValidateFunction>>;

// Fails to compile when an id has no schema in the registry.
const schemaById: Readonly<Record<SchemaId, object>> = SCHEMAS;

// Module-level so that every processor in the process shares one compilation.
let shared: Validators | undefined;

function compileAll(): Validators {
  // No allErrors: validation stops at the first failure (fast path and short diag text).
  const ajv = new Ajv({ strict: true });
  const ids = Object.keys(schemaById) as SchemaId[];
  // Add all first so cross-file `$ref`s ("usage.json", ...) resolve, then compile each.
  for (const id of ids) ajv.addSchema(schemaById[id]);
  const out = {} as Record<SchemaId, ValidateFunction>;
  for (const id of ids) {
    const fn = ajv.getSchema(`${id}.json`);
    if (!fn) throw new Error(`schema ${id}.json: $id does not match its registry key`);
    out[id] = fn;
  }
  return Object.freeze(out);
}

/** Compiled validators for every wire schema; construct once, reuse. */
export class SchemaValidator {
  private readonly validators: Validators;
  private failedId: SchemaId | undefined;
  private failedErrors: ErrorObject[] | null | undefined;
  private thrown: string | undefined;

  /** Compiles every schema on the first construction in the process; throws if a schema is broken. */
  constructor() {
    this.validators = shared ??= compileAll();
  }

  /** True when `value` matches schema `id`. Never throws. */
  is<K extends SchemaId>(id: K, value: unknown): value is WireTypeById[K] {
    const fn = this.validators[id];
    try {
      if (fn(value)) return true;
      // Keep the raw errors; the text is only built if a diag line asks for it.
      this.failedId = id;
      this.failedErrors = fn.errors;
      this.thrown = undefined;
    } catch (err) {
      // Only reachable for values JSON.parse cannot produce (getters that throw, ...).
      this.failedId = id;
      this.failedErrors = undefined;
      this.thrown = err instanceof Error ? err.message : String(err);
    }
    return false;
  }

  /**
   * Where the most recent failure is, for mapping a failed body field by field: the path of the
   * value at fault as property names and indices, and whether it is a required property missing
   * there (then the path ends with its name). Undefined when there is no such place to point at.
   */
  lastErrorLocation(): { path: string[]; missing: boolean } | undefined {
    const errors = this.failedErrors;
    if (this.thrown !== undefined || errors == null || errors.length === 0) return undefined;
    let best = errors[0];
    for (const e of errors) if (e.instancePath.length > best.instancePath.length) best = e;
    const path = best.instancePath === '' ? [] : best.instancePath.slice(1).split('/').map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    const missing = best.keyword === 'required' && typeof best.params.missingProperty === 'string';
    if (missing) path.push(best.params.missingProperty as string);
    return { path, missing };
  }

  /** Short description of the most recent failure, for diag lines. */
  lastErrorText(): string {
    if (this.failedId === undefined) return '';
    if (this.thrown !== undefined) return `${this.failedId}: validator threw: ${this.thrown}`;
    const errors = this.failedErrors ?? [];
    if (errors.length === 0) return `${this.failedId}: invalid`;
    // Validation stops at the first failure, except that a failed anyOf reports every
    // branch; the branch that got deepest into the value names the real culprit.
    let best = errors[0];
    for (const e of errors) if (e.instancePath.length > best.instancePath.length) best = e;
    const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
    return `${this.failedId}: ${best.instancePath || '/'} ${best.message ?? best.keyword}${more}`;
  }
}
