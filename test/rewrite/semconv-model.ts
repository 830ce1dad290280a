import * as fs from 'fs';
import * as path from 'path';
import { TEST_DIR } from '../support/paths';

/** The semantic-conventions release the tests check against (test/fixtures/semconv/v1.41.1/SOURCE.md). */
export const SEMCONV_VERSION = '1.41.1';

/** The folder of the vendored conventions. */
export const SEMCONV_DIR = path.join(TEST_DIR, 'fixtures', 'semconv', `v${SEMCONV_VERSION}`);

/** One enum member of a registry attribute. */
export interface EnumMember {
  id: string;
  value: string;
  deprecated?: unknown;
}

/** An attribute as the registry defines it. */
export interface RegistryAttribute {
  id: string;
  /** `string`, `int`, `double`, `boolean`, `string[]`, `any`, ... or an enum's members. */
  type: string | { members: EnumMember[] };
  stability?: string;
  /** Set on attributes the registry keeps only to say what replaced them. */
  deprecated?: unknown;
}

/** How a span or metric definition asks for one attribute. */
export interface Requirement {
  level: 'required' | 'conditionally_required' | 'recommended' | 'opt_in';
  /** The condition text of `conditionally_required` (and of a conditional `recommended`). */
  condition?: string;
}

/** A span definition with its `extends` chain resolved. */
export interface SpanDefinition {
  id: string;
  spanKind: string;
  attributes: Map<string, Requirement>;
}

/** A metric definition with its `extends` chain resolved. */
export interface MetricDefinition {
  id: string;
  name: string;
  instrument: string;
  unit: string;
  /** `int` or `double`, from the code-generation annotation. */
  valueType: string | undefined;
  attributes: Map<string, Requirement>;
}

interface AttributeEntry {
  id?: string;
  ref?: string;
  type?: RegistryAttribute['type'];
  stability?: string;
  deprecated?: unknown;
  requirement_level?: string | Record<string, string>;
}

interface Group {
  id: string;
  type: string;
  extends?: string;
  span_kind?: string;
  metric_name?: string;
  instrument?: string;
  unit?: string;
  annotations?: { code_generation?: { metric_value_type?: string } };
  attributes?: AttributeEntry[];
}

// model.json is the vendored YAML converted once (SOURCE.md): no YAML parser is a dependency.
const MODEL = JSON.parse(fs.readFileSync(path.join(SEMCONV_DIR, 'model.json'), 'utf8')) as { version: string; groups: Group[] };
if (MODEL.version !== SEMCONV_VERSION) throw new Error(`model.json is ${MODEL.version}, expected ${SEMCONV_VERSION}`);

const GROUPS = new Map(MODEL.groups.map(group => [group.id, group]));

const REGISTRY = new Map<string, RegistryAttribute>();
for (const group of MODEL.groups) {
  for (const entry of group.attributes ?? []) {
    if (entry.id !== undefined && entry.type !== undefined) REGISTRY.set(entry.id, { id: entry.id, type: entry.type, stability: entry.stability, deprecated: entry.deprecated });
  }
}

/** The registry's definition of `key` (deprecated ones included), or undefined. */
export function registryAttribute(key: string): RegistryAttribute | undefined {
  return REGISTRY.get(key);
}

/** Every attribute the registry defines, deprecated ones included. */
export function registryAttributes(): RegistryAttribute[] {
  return [...REGISTRY.values()];
}

/** The span definition `id` (e.g. `span.gen_ai.inference.client`) or attribute group, resolved. */
export function spanDefinition(id: string): SpanDefinition {
  const group = groupOf(id);
  return { id, spanKind: group.span_kind ?? '', attributes: resolvedAttributes(id) };
}

/** The metric named `name` (e.g. `gen_ai.client.token.usage`), resolved; undefined when the conventions define none. */
export function metricDefinition(name: string): MetricDefinition | undefined {
  const group = MODEL.groups.find(candidate => candidate.type === 'metric' && candidate.metric_name === name);
  if (group === undefined) return undefined;
  return {
    id: group.id,
    name,
    instrument: group.instrument ?? '',
    unit: group.unit ?? '',
    valueType: group.annotations?.code_generation?.metric_value_type,
    attributes: resolvedAttributes(group.id),
  };
}

function groupOf(id: string): Group {
  const group = GROUPS.get(id);
  if (group === undefined) throw new Error(`semantic conventions ${SEMCONV_VERSION} define no group ${id}`);
  return group;
}

// A group's attributes after those of the groups it extends; a ref that names no requirement keeps the inherited one.
function resolvedAttributes(id: string): Map<string, Requirement> {
  const group = groupOf(id);
  const attributes = group.extends === undefined ? new Map<string, Requirement>() : resolvedAttributes(group.extends);
  for (const entry of group.attributes ?? []) {
    const key = entry.ref ?? entry.id;
    if (key === undefined) continue;
    const requirement = entry.requirement_level === undefined ? attributes.get(key) : toRequirement(entry.requirement_level);
    attributes.set(key, requirement ?? { level: 'recommended' });
  }
  return attributes;
}

function toRequirement(level: string | Record<string, string>): Requirement {
  if (typeof level === 'string') return { level: level as Requirement['level'] };
  const [name, condition] = Object.entries(level)[0];
  return { level: name as Requirement['level'], condition };
}
