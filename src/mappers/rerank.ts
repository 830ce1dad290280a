import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import type { RerankRequest, RerankResponse, ScoreInputs, ScoreItem, ScoreRequest, ScoreResponse } from '../wire/pooling';
import { addInvocationParametersAttributes, addModelAttributes, responseIdentityAndUsageAttributes } from './common';

// The side pairs of a /score request, in the order vLLM documents them; the first complete pair is used.
const SCORE_SIDES = [
  ['text_1', 'text_2'],
  ['queries', 'documents'],
  ['queries', 'items'],
  ['data_1', 'data_2'],
] as const;

const RERANK_CONTENT_KEYS = ['query', 'documents', 'model'] as const;
const SCORE_CONTENT_KEYS = ['model', ...SCORE_SIDES.flat()] as const;

/** A ranked or scored document: which input it is, and its score. */
interface ScoredDocument {
  index: number;
  score: number;
  /** The text the response itself carries (rerank's `document.text`). */
  text?: string | null;
}

/** Request side of `/rerank`: query, documents, `top_n` (0 means all and is not recorded), model, parameters. */
export function getRerankRequestAttributes(request: RerankRequest): Attributes {
  const attributes = getRerankerInputAttributes(request.model, [request.query], listOf(request.documents));
  addInvocationParametersAttributes(attributes, request, RERANK_CONTENT_KEYS);
  if (typeof request.top_n === 'number' && request.top_n > 0) attributes[A.RERANKER_TOP_K] = request.top_n;
  return attributes;
}

/** Response side of `/rerank`: the results in their ranked order, usage. */
export function getRerankResponseAttributes(response: RerankResponse, request: RerankRequest | undefined): Attributes {
  const documents = request === undefined ? [] : listOf(request.documents);
  const ranked = response.results.map(result => ({ index: result.index, score: result.relevance_score, text: result.document?.text }));
  return getRerankerOutputAttributes(response, ranked, documents);
}

/**
 * Request side of `/score`, recorded like a rerank (both serve cross-encoders; rerank is score
 * plus sorting): the second side's items are the documents; the first side is the query when
 * it is one item (one query against many documents). Paired lists have no single query.
 */
export function getScoreRequestAttributes(request: ScoreRequest): Attributes {
  const [queries, documents] = scoreSides(request);
  const attributes = getRerankerInputAttributes(request.model, queries, documents);
  addInvocationParametersAttributes(attributes, request, SCORE_CONTENT_KEYS);
  return attributes;
}

/** Response side of `/score`: one output document per pair, in response order, usage. */
export function getScoreResponseAttributes(response: ScoreResponse, request: ScoreRequest | undefined): Attributes {
  const documents = request === undefined ? [] : scoreSides(request)[1];
  return getRerankerOutputAttributes(response, response.data, documents);
}

function getRerankerInputAttributes(model: string | null | undefined, queries: readonly ScoreItem[], documents: readonly ScoreItem[]): Attributes {
  const attributes: Attributes = {};
  addModelAttributes(attributes, model);
  if (typeof model === 'string') attributes[A.RERANKER_MODEL_NAME] = model;
  const query = queries.length === 1 ? itemText(queries[0]) : undefined;
  if (query !== undefined) attributes[A.RERANKER_QUERY] = query;
  documents.forEach((document, index) => {
    const text = itemText(document);
    if (text !== undefined) attributes[A.documentKey(A.RERANKER_INPUT_DOCUMENTS, index, A.DOCUMENT_CONTENT)] = text;
  });
  return attributes;
}

function getRerankerOutputAttributes(
  response: RerankResponse | ScoreResponse,
  scored: readonly ScoredDocument[],
  documents: readonly ScoreItem[],
): Attributes {
  const attributes = responseIdentityAndUsageAttributes(response);
  scored.forEach((document, position) => {
    const key = (suffix: string) => A.documentKey(A.RERANKER_OUTPUT_DOCUMENTS, position, suffix);
    // The id is the document's position in the request, which is what `index` means in both APIs.
    attributes[key(A.DOCUMENT_ID)] = String(document.index);
    attributes[key(A.DOCUMENT_SCORE)] = document.score;
    const text = document.text ?? (documents[document.index] === undefined ? undefined : itemText(documents[document.index]));
    if (typeof text === 'string') attributes[key(A.DOCUMENT_CONTENT)] = text;
  });
  return attributes;
}

/** The first complete side pair of a /score request, each side as a list. */
function scoreSides(request: ScoreRequest): [ScoreItem[], ScoreItem[]] {
  for (const [first, second] of SCORE_SIDES) {
    if (request[first] !== undefined && request[second] !== undefined) return [listOf(request[first]), listOf(request[second])];
  }
  return [[], []];
}

function listOf(inputs: ScoreInputs | undefined): ScoreItem[] {
  if (inputs === undefined) return [];
  return Array.isArray(inputs) ? inputs : [inputs];
}

/** A text item, or the text of a `{text}` object; multimodal items have none. */
function itemText(item: ScoreItem): string | undefined {
  if (typeof item === 'string') return item;
  return typeof item.text === 'string' ? item.text : undefined;
}
