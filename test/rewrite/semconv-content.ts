import * as fs from 'fs';
import * as path from 'path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import * as A from '../../src/attributes';
import { SEMCONV_DIR } from './semconv-model';

/** The content attributes and the JSON schema (docs/gen-ai/) each must follow. */
export const CONTENT_SCHEMAS: Readonly<Record<string, string>> = {
  [A.GEN_AI_INPUT_MESSAGES]: 'gen-ai-input-messages.json',
  [A.GEN_AI_OUTPUT_MESSAGES]: 'gen-ai-output-messages.json',
  [A.GEN_AI_SYSTEM_INSTRUCTIONS]: 'gen-ai-system-instructions.json',
  [A.GEN_AI_TOOL_DEFINITIONS]: 'gen-ai-tool-definitions.json',
};

interface Schema {
  $defs: Record<string, { properties?: { type?: { const?: unknown } } }>;
}

// The schemas are pydantic output (`$defs`, 2020-12 style, no `$schema`); the tool definitions'
// `parameters` refer to the draft-07 meta-schema, so Ajv needs that one too.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addMetaSchema(draft07);
// BlobPart.content is pydantic `bytes` (`format: binary`), which JSON carries as base64 text.
ajv.addFormat('binary', true);

interface Compiled {
  whole: ValidateFunction;
  /** Validators of the part definitions by their `type` const (`text`, `tool_call`, ...). */
  parts: Map<string, ValidateFunction>;
}

const compiled = new Map<string, Compiled>();

function compile(file: string): Compiled {
  let entry = compiled.get(file);
  if (entry !== undefined) return entry;
  const schema = JSON.parse(fs.readFileSync(path.join(SEMCONV_DIR, 'docs', 'gen-ai', file), 'utf8')) as Schema;
  ajv.addSchema(schema, file);
  const parts = new Map<string, ValidateFunction>();
  for (const [name, definition] of Object.entries(schema.$defs)) {
    const type = definition.properties?.type?.const;
    if (typeof type === 'string') parts.set(type, ajv.getSchema(`${file}#/$defs/${name}`)!);
  }
  entry = { whole: ajv.getSchema(file)!, parts };
  compiled.set(file, entry);
  return entry;
}

/**
 * What is wrong with the content attribute `key` holding `value`: not a JSON string, not valid
 * against its schema, or a part whose `type` names one of the schema's part definitions but
 * does not satisfy it (the schema's catch-all GenericPart would otherwise accept any object with
 * a `type`, e.g. a `text` part without `content`). Empty when it conforms.
 */
export function contentViolations(key: string, value: unknown): string[] {
  const file = CONTENT_SCHEMAS[key];
  if (file === undefined) return [`${key} has no content schema`];
  if (typeof value !== 'string') return [`${key} is a ${typeof value}, not a JSON string`];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [`${key} is not JSON`];
  }
  const { whole, parts } = compile(file);
  const problems: string[] = [];
  if (!whole(parsed)) problems.push(`${key} fails ${file}: ${ajv.errorsText(whole.errors)}`);
  for (const part of partsOf(parsed)) {
    const validate = parts.get(String((part as { type?: unknown }).type));
    if (validate !== undefined && !validate(part)) problems.push(`${key} part ${JSON.stringify(part)}: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}

// Parts sit in each message's `parts` (messages) or are the items themselves (system instructions, tool definitions).
function partsOf(parsed: unknown): unknown[] {
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap(item => {
    const parts = (item as { parts?: unknown } | null)?.parts;
    return Array.isArray(parts) ? parts : [item];
  });
}
