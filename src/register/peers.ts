import { createRequire } from 'module';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as InstrumentationHttp from '@opentelemetry/instrumentation-http';
import type * as InstrumentationUndici from '@opentelemetry/instrumentation-undici';

/**
 * `require` from this file's place in the package, so that peers resolve as for any other
 * import of the package. ES modules have no `__filename`: scripts/build.ts writes
 * `createRequire(import.meta.url)` in the ES module build. Synchronous on purpose: under
 * `--require` the SDK must be running before the application's first line.
 */
const requireHere = createRequire(__filename);

/** The optional peers that the register entry cannot work without. */
export const REQUIRED_PEERS = ['@opentelemetry/sdk-node', '@opentelemetry/instrumentation-undici', '@opentelemetry/instrumentation-http'] as const;

/** The required peers, loaded. */
export interface RegisterPeers {
  sdkNode: typeof SdkNode;
  undici: typeof InstrumentationUndici;
  http: typeof InstrumentationHttp;
}

/** Thrown when a package the register entry needs is not installed; the message names it and says how to add it. */
export class MissingPeerError extends Error {
  constructor(readonly packages: readonly string[]) {
    super(
      `@traceai/vllm/register needs ${packages.join(', ')}, not installed (optional peer dependencies of @traceai/vllm, ` +
        `used only by the register entry): npm install ${packages.join(' ')}`,
    );
    this.name = 'MissingPeerError';
  }
}

/** Loads every required peer, or throws one MissingPeerError naming all that are missing. */
export function loadRequiredPeers(load: NodeJS.Require = requireHere): RegisterPeers {
  const missing: string[] = [];
  const loaded = REQUIRED_PEERS.map(name => {
    try {
      return load(name) as unknown;
    } catch (error) {
      if (!isNotFound(error, name)) throw error;
      missing.push(name);
      return undefined;
    }
  });
  if (missing.length > 0) throw new MissingPeerError(missing);
  const [sdkNode, undici, http] = loaded;
  return { sdkNode, undici, http } as RegisterPeers;
}

/**
 * Loads a package that `@opentelemetry/sdk-node` itself depends on (an exporter, sdk-trace-base):
 * from this package when the application installed it, else from sdk-node's own dependencies,
 * so that installing sdk-node is enough, and the versions match it.
 */
export function loadSdkDependency<T>(name: string, load: NodeJS.Require = requireHere): T {
  try {
    return load(name) as T;
  } catch (error) {
    if (!isNotFound(error, name)) throw error;
  }
  try {
    return createRequire(load.resolve('@opentelemetry/sdk-node'))(name) as T;
  } catch (error) {
    if (!isNotFound(error, name)) throw error;
    throw new MissingPeerError([name]);
  }
}

/** True when `error` says that `name` itself (not one of its own imports) could not be found. */
function isNotFound(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}
