import type { Attributes } from '@opentelemetry/api';
import type { SchemaId, SchemaValidator } from '../interpret/validation';
import type { RequestMapping } from './endpoint-handler';

/**
 * Field-by-field mapping of a request body that fails its schema: what is at fault is left out
 * (one message of a list, one parameter of the wrong type) until the rest validates, so that
 * the model, the valid messages and the sampling parameters are still recorded.
 */

/** How an endpoint's request can be repaired for mapping. */
export interface RequestRepair {
  /**
   * Values that stand for a required field that is missing, mapping to nothing of substance
   * (`messages: []`). What they alone map to is left out of the result.
   */
  fillers: Readonly<Record<string, unknown>>;
  /** Top-level lists whose items have a schema of their own: a bad item is found in one pass over the list. */
  itemSchemas?: Readonly<Record<string, SchemaId>>;
}

/** A request mapped from what was left of it, and what was left out. */
export interface SalvagedRequest<Request> {
  mapping: RequestMapping<Request>;
  /** What was dropped or stood in for, as `field`, `field.index` or `field (missing)`. */
  dropped: string[];
}

type Mapper<Request> = (body: unknown) => RequestMapping<Request> | undefined;

/**
 * Repairs `body` until `map` accepts it, at most `maxRepairs` times (each try validates the whole
 * body again). Undefined when the body is not an object or cannot be repaired within the budget.
 * Never changes `body`.
 */
export function salvageRequest<Request>(
  body: unknown,
  map: Mapper<Request>,
  validator: SchemaValidator,
  repair: RequestRepair,
  maxRepairs: number,
): SalvagedRequest<Request> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const candidate: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const dropped: string[] = [];
  const filled: Record<string, unknown> = {};
  for (let attempt = 0; attempt <= maxRepairs; attempt++) {
    const mapping = map(candidate);
    if (mapping !== undefined) return { mapping: withoutFillerFacts(mapping, map, filled), dropped };
    if (attempt === maxRepairs) break;
    const location = validator.lastErrorLocation();
    if (location === undefined || !repairAt(candidate, location.path, location.missing, repair, validator, filled, dropped)) break;
  }
  return undefined;
}

/** Makes one repair at the failure's location; false when there is none to make. */
function repairAt(
  candidate: Record<string, unknown>,
  path: string[],
  missing: boolean,
  repair: RequestRepair,
  validator: SchemaValidator,
  filled: Record<string, unknown>,
  dropped: string[],
): boolean {
  const key = path[0];
  if (key === undefined || key === '__proto__') return false;
  if (missing && path.length === 1) {
    if (!Object.prototype.hasOwnProperty.call(repair.fillers, key) || Object.prototype.hasOwnProperty.call(filled, key)) return false;
    filled[key] = repair.fillers[key];
    candidate[key] = repair.fillers[key];
    dropped.push(`${key} (missing)`);
    return true;
  }
  const value = candidate[key];
  const index = Number(path[1]);
  if (path.length >= 2 && Array.isArray(value) && Number.isInteger(index) && index >= 0 && index < value.length) {
    const itemSchema = repair.itemSchemas?.[key];
    if (itemSchema !== undefined) {
      const kept = value.filter((item, i) => {
        const valid = validator.is(itemSchema, item);
        if (!valid) dropped.push(`${key}.${i}`);
        return valid;
      });
      // The list's own schema failed on an item its item schema accepts: drop that one after all.
      if (kept.length === value.length) {
        dropped.push(`${key}.${index}`);
        candidate[key] = value.filter((_, i) => i !== index);
      } else {
        candidate[key] = kept;
      }
    } else {
      dropped.push(`${key}.${index}`);
      candidate[key] = value.filter((_, i) => i !== index);
    }
    return true;
  }
  if (!Object.prototype.hasOwnProperty.call(candidate, key) || Object.prototype.hasOwnProperty.call(filled, key)) return false;
  delete candidate[key];
  dropped.push(key);
  return true;
}

/** Drops the attributes that the fillers alone map to: they are no fact of this request. */
function withoutFillerFacts<Request>(mapping: RequestMapping<Request>, map: Mapper<Request>, filled: Record<string, unknown>): RequestMapping<Request> {
  if (Object.keys(filled).length === 0) return mapping;
  const fillerOnly = map({ ...filled })?.attributes ?? {};
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(mapping.attributes)) {
    if (!sameValue(fillerOnly[key], value)) attributes[key] = value;
  }
  return { ...mapping, attributes };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}
