/**
 * Which requests are vLLM inference calls: a POST whose path ends with a known endpoint
 * (so a path-prefix proxy such as `/llama/v1/chat/completions` still counts) to a URL
 * that matches the user's `baseUrlPattern`. Runs for every undici request in the
 * process, so the common "no" is decided by a method compare and a few `endsWith`.
 */

/** The inference endpoints this package understands. */
export type EndpointKind =
  | 'chat'
  | 'completion'
  | 'embedding'
  | 'responses'
  | 'pooling'
  | 'classify'
  | 'score'
  | 'rerank';

// `/v1/score` and `/v1|v2/rerank` end with `/score` and `/rerank`, so one suffix covers each family.
const ENDPOINT_SUFFIXES: ReadonlyArray<readonly [string, EndpointKind]> = [
  ['/v1/chat/completions', 'chat'],
  ['/v1/completions', 'completion'],
  ['/v1/embeddings', 'embedding'],
  ['/v1/responses', 'responses'],
  ['/pooling', 'pooling'],
  ['/classify', 'classify'],
  ['/score', 'score'],
  ['/rerank', 'rerank'],
];

/** Returns the endpoint a request path (query string allowed) is for, if any. */
export function endpointForPath(path: string): EndpointKind | undefined {
  const query = path.indexOf('?');
  const bare = query === -1 ? path : path.slice(0, query);
  const withoutSlash = bare.endsWith('/') ? bare.slice(0, -1) : bare;
  for (const [suffix, kind] of ENDPOINT_SUFFIXES) {
    if (withoutSlash.endsWith(suffix)) return kind;
  }
  return undefined;
}

/** Returns the endpoint a full URL (`url.full`, query allowed) is for, if any. */
export function endpointForUrl(url: string): EndpointKind | undefined {
  const scheme = url.indexOf('://');
  const slash = url.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  return slash === -1 ? undefined : endpointForPath(url.slice(slash));
}

// `/v1/`, `/v2/`, ...: the shape of an OpenAI-style API path, known to this package or not.
const VERSIONED_API_SEGMENT = /\/v\d+\//;

/** True when a path looks like an OpenAI-style API call (`/v1/audio/transcriptions`, ...). */
export function isVersionedApiPath(path: string): boolean {
  return VERSIONED_API_SEGMENT.test(path);
}

/** Tests request URLs against `baseUrlPattern`; built once from validated options. */
export class UrlPattern {
  private readonly test: (url: string) => boolean;

  /** Throws a TypeError for a pattern that is neither a non-empty string nor a RegExp. */
  constructor(pattern: string | RegExp | undefined) {
    if (pattern === undefined) {
      this.test = () => true;
    } else if (typeof pattern === 'string') {
      if (pattern.length === 0) throw new TypeError('baseUrlPattern must not be an empty string');
      this.test = url => url.includes(pattern);
    } else if (pattern instanceof RegExp) {
      // A /g or /y RegExp keeps `lastIndex` between calls and would match every other request.
      const stateless = pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
      this.test = url => stateless.test(url);
    } else {
      throw new TypeError(`baseUrlPattern must be a string or a RegExp, got ${typeof pattern}`);
    }
  }

  /** True when the URL belongs to a vLLM server the user wants traced. */
  matches(url: string): boolean {
    return this.test(url);
  }
}
