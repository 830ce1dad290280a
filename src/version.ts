/** This package's name, as its instrumentation scope. */
export const PACKAGE_NAME = '@traceai/vllm';

/** This package's version (test/setup/vllm-instrumentation.test.ts keeps it equal to package.json's). */
export const PACKAGE_VERSION = '0.1.0';
