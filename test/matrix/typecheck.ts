/**
 * The TypeScript side of a cell: the wiring a user of the cell's SDK writes must compile against
 * the SDK's own types and the tarball's declarations, once as an ES module (.mts, the `import`
 * condition) and once as CommonJS (.cts, the `require` condition), under node16 resolution.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ProviderFlavor } from './otel';

const TSC = require.resolve('typescript/bin/tsc');

/** What a user of each SDK line writes to add the processor. */
const WIRING: Record<ProviderFlavor, string> = {
  'sdk-trace-node': [
    `import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';`,
    `import { VLLMSpanProcessor } from '@traceai/vllm';`,
    `new NodeTracerProvider({ spanProcessors: [new VLLMSpanProcessor({ baseUrlPattern: 'localhost:8000' })] }).register();`,
  ].join('\n'),
  'sdk-trace-node-1': [
    `import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';`,
    `import { VLLMSpanProcessor } from '@traceai/vllm';`,
    `const provider = new NodeTracerProvider();`,
    `provider.addSpanProcessor(new VLLMSpanProcessor({ baseUrlPattern: 'localhost:8000' }));`,
    `provider.register();`,
  ].join('\n'),
  'sdk-trace-3': [
    `import { TracerProvider } from '@opentelemetry/sdk-trace';`,
    `import { VLLMSpanProcessor } from '@traceai/vllm';`,
    `new TracerProvider({ spanProcessors: [new VLLMSpanProcessor({ baseUrlPattern: 'localhost:8000' })] });`,
  ].join('\n'),
};

/** What a user of node:http clients adds: the hook that lets Node 20 see their request bodies. */
const HTTP_WIRING = [
  `import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';`,
  `import { httpRequestHook } from '@traceai/vllm';`,
  `new HttpInstrumentation({ requestHook: httpRequestHook });`,
].join('\n');

/**
 * Compiles the wiring of `flavor` inside the cell, with HttpInstrumentation's when `http`;
 * returns tsc's complaints (empty: it compiles).
 */
export async function typecheckWiring(cellDir: string, flavor: ProviderFlavor, http: boolean): Promise<string[]> {
  const dir = path.join(cellDir, 'node_modules', '.matrix', 'types');
  fs.mkdirSync(dir, { recursive: true });
  const wiring = http ? `${WIRING[flavor]}\n${HTTP_WIRING}` : WIRING[flavor];
  fs.writeFileSync(path.join(dir, 'wiring.mts'), wiring + '\n');
  fs.writeFileSync(path.join(dir, 'wiring.cts'), wiring + '\n');
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      // skipLibCheck: the SDKs' own declarations are not under test, only whether ours fit theirs.
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ['wiring.mts', 'wiring.cts'],
    }),
  );
  let output = '';
  const code = await new Promise<number | null>(resolve => {
    const child = spawn(process.execPath, [TSC, '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    child.on('close', resolve);
  });
  return code === 0 ? [] : [`tsc: ${output.trim() || `exit ${code}`}`];
}
