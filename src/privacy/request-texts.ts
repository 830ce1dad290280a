import { parseJson } from '../interpret/body';

/**
 * The strings of a request body that an error description must not repeat when input
 * switches are on: every text value (messages, prompts, documents, queries, tool
 * definitions, instructions, image URLs, `user`, ...) except the settings that name
 * things (`model`, `role`, `type`, `tool_choice`, ...).
 */

/** Which request strings count: every text value, or only image URLs (`hideInputImages`). */
export type EchoScope = 'all' | 'images';

// Values under these keys are names and settings, not content; a status that repeats them keeps them.
const SETTING_KEYS: ReadonlySet<string> = new Set([
  'model',
  'role',
  'type',
  'object',
  'tool_choice',
  'encoding_format',
  'embed_dtype',
  'endianness',
  'service_tier',
  'truncation',
  'reasoning_effort',
  'effort',
  'detail',
  'modality',
  'status',
]);

// Keys whose string value is an image (chat `image_url.url`, Responses `input_image.image_url`).
const IMAGE_KEYS: ReadonlySet<string> = new Set(['url', 'image_url']);

// A JSON string literal, and whether a colon follows it (then it is a key).
const STRING_LITERAL = /"((?:[^"\\]|\\.)*)("\s*:|"|$)/gs;

/**
 * The distinct strings of `body` (a request body as sent) in `scope`, or `undefined` when
 * the body holds none that can be read (not JSON text, or content-encoded): then a caller
 * cannot tell what the request said. A body cut by the capture cap is read up to the cut.
 */
export function requestTexts(body: string, scope: EchoScope): string[] | undefined {
  const texts = new Set<string>();
  let sawString = false;
  const take = (key: string | undefined, value: string): void => {
    sawString = true;
    if (value === '' || (key !== undefined && SETTING_KEYS.has(key))) return;
    if (scope === 'images' && !(key !== undefined && IMAGE_KEYS.has(key)) && !value.startsWith('data:')) return;
    texts.add(value);
  };
  const parsed = parseJson(body);
  if (parsed !== undefined) walk(parsed, take);
  else scanStringLiterals(body, take);
  return sawString ? [...texts] : undefined;
}

/** Every string leaf of a parsed body with the key it sits under (array items inherit the array's key). Iterative: bodies may nest deep. */
function walk(root: unknown, take: (key: string | undefined, value: string) => void): void {
  const stack: Array<[string | undefined, unknown]> = [[undefined, root]];
  while (stack.length > 0) {
    const [key, value] = stack.pop()!;
    if (typeof value === 'string') take(key, value);
    else if (Array.isArray(value)) for (const item of value) stack.push([key, item]);
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) stack.push([k, v]);
  }
}

/** The string literals of JSON text that does not parse (cut by the cap), keys told apart by their colon; the last one may be cut too. */
function scanStringLiterals(text: string, take: (key: string | undefined, value: string) => void): void {
  let key: string | undefined;
  for (const match of text.matchAll(STRING_LITERAL)) {
    const value = unescapeJson(match[1]);
    if (match[2] !== '"' && match[2] !== '') key = value;
    else take(key, value);
  }
}

function unescapeJson(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    // A literal cut inside an escape: its raw text is still what the request said.
    return raw;
  }
}
