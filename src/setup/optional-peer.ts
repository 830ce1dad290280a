import { createRequire } from 'module';

/**
 * `require` from this file's place inside the package, so that a peer resolves as any import of
 * the package would. ES modules have no `__filename`: scripts/build.ts writes
 * `createRequire(import.meta.url)` in the ES module build.
 */
const requireHere = createRequire(__filename);

/**
 * Loads an optional peer dependency when a feature first needs it, so that users of the plain
 * processor never load (or install) it. Throws an Error naming the package and how to install it
 * when it is missing.
 */
export function loadOptionalPeer<T>(name: string, feature: string, installHint: string): T {
  const peer = loadIfInstalled<T>(name);
  if (peer !== undefined) return peer;
  throw new Error(`${feature} needs the package ${name}, which is not installed: ${installHint}`);
}

/** Loads an optional peer dependency, or undefined when it is not installed (any other load error is thrown). */
export function loadIfInstalled<T>(name: string): T | undefined {
  try {
    return requireHere(name) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    return undefined;
  }
}
