import { randomUUID } from 'crypto';

/**
 * Export to Future AGI, as its own SDK (`@traceai/fi-core` `register()`) does: OTLP over HTTP to
 * `<base>/tracer/v1/traces`, the keys in `x-api-key` / `x-secret-key` headers, and the project
 * in resource attributes (`project_name`, `project_type`, ...), which the collector files the
 * spans under.
 */
export interface FutureAgiExport {
  url: string;
  headers: Record<string, string>;
  resourceAttributes: Record<string, string>;
}

/** Future AGI's public API, where `FI_BASE_URL` does not point elsewhere. */
export const DEFAULT_FI_BASE_URL = 'https://api.futureagi.com';

/** The collector's OTLP traces path under the base URL. */
export const FI_TRACES_PATH = '/tracer/v1/traces';

/** The variables that turn the Future AGI export on; all three or none. */
const REQUIRED = ['FI_API_KEY', 'FI_SECRET_KEY', 'FI_PROJECT_NAME'] as const;

/** Project types of the Future AGI SDKs. */
const PROJECT_TYPES = ['observe', 'experiment'];

/**
 * The Future AGI export the environment asks for, or undefined when none of its variables is set.
 * Throws when only some are set, or `FI_PROJECT_TYPE` is unknown: a half-configured export would
 * otherwise lose every span without a word.
 */
export function futureAgiFromEnv(env: NodeJS.ProcessEnv): FutureAgiExport | undefined {
  const missing = REQUIRED.filter(name => !env[name]);
  if (missing.length === REQUIRED.length) return undefined;
  if (missing.length > 0) throw new Error(`@traceai/vllm/register: the Future AGI export needs ${REQUIRED.join(', ')}; ${missing.join(', ')} not set`);
  // Zero code traces a running application: "observe" (fi-core's register() defaults to "experiment").
  const projectType = (env.FI_PROJECT_TYPE || 'observe').toLowerCase();
  if (!PROJECT_TYPES.includes(projectType)) {
    throw new Error(`@traceai/vllm/register: FI_PROJECT_TYPE must be ${PROJECT_TYPES.join(' or ')}, got ${JSON.stringify(env.FI_PROJECT_TYPE)}`);
  }
  const projectName = env.FI_PROJECT_NAME as string;
  const resourceAttributes: Record<string, string> = { project_name: projectName, project_type: projectType, 'service.name': projectName };
  if (projectType === 'experiment') {
    // fi-core allows versions only for experiments, and gives each run its own id.
    resourceAttributes.project_version_name = env.FI_PROJECT_VERSION_NAME || 'DEFAULT';
    resourceAttributes.project_version_id = randomUUID();
  }
  return {
    url: tracesUrl(env),
    headers: { 'x-api-key': env.FI_API_KEY as string, 'x-secret-key': env.FI_SECRET_KEY as string },
    resourceAttributes,
  };
}

/** `FI_COLLECTOR_ENDPOINT` with a path is the full URL; otherwise it, `FI_BASE_URL` or the default is the base. */
function tracesUrl(env: NodeJS.ProcessEnv): string {
  const collector = env.FI_COLLECTOR_ENDPOINT;
  if (collector) {
    let path: string;
    try {
      path = new URL(collector).pathname;
    } catch {
      throw new Error(`@traceai/vllm/register: FI_COLLECTOR_ENDPOINT is not a URL: ${JSON.stringify(collector)}`);
    }
    if (path !== '/' && path !== '') return collector;
  }
  const base = collector || env.FI_BASE_URL || DEFAULT_FI_BASE_URL;
  return `${base.replace(/\/+$/, '')}${FI_TRACES_PATH}`;
}
