import { expect } from 'chai';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { packTarball } from '../matrix/pack';

const run = promisify(execFile);
const TSC = require.resolve('typescript/bin/tsc');

/** Runs a script file with this Node in `cwd`; returns its stdout. */
async function node(cwd: string, file: string): Promise<string> {
  return (await run(process.execPath, [file], { cwd, timeout: 30_000 })).stdout;
}

/** What each check script prints: which file the package resolved to, and that the processor works. */
const REPORT = `JSON.stringify({ resolved, onStart: typeof processor.onStart, onEnding: typeof processor.onEnding })`;

describe('the packed package, installed from its tarball into an empty project', function () {
  this.timeout(240_000);
  let work: string;
  let project: string;
  let tarball: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'traceai-vllm-package-test-'));
    tarball = packTarball(work);
    project = path.join(work, 'app');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    // The peer dependency is the application's to install, as a user would.
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, '@opentelemetry/api@^1.9.0'], { cwd: project, timeout: 180_000 });
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('ships the build and nothing else: no sources, no tests, no maps', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n').map(file => file.replace(/^package\//, ''));
    const strays = files.filter(file => !['package.json', 'README.md', 'LICENSE'].includes(file) && !file.startsWith('dist/'));
    expect(strays).to.deep.equal([]);
    expect(files.filter(file => file.endsWith('.map') || (file.endsWith('.ts') && !file.endsWith('.d.ts')))).to.deep.equal([]);
    expect(files).to.include.members(['dist/cjs/package.json', 'dist/esm/package.json', 'dist/cjs/src/index.d.ts', 'dist/esm/src/index.d.ts']);
  });

  it('imports as an ES module from the ESM build', async () => {
    fs.writeFileSync(
      path.join(project, 'check.mjs'),
      `import { VLLMSpanProcessor } from '@traceai/vllm';\n` +
        `const resolved = import.meta.resolve('@traceai/vllm');\n` +
        `const processor = new VLLMSpanProcessor();\n` +
        `console.log(${REPORT});\nawait processor.shutdown();\n`,
    );
    const report = JSON.parse(await node(project, 'check.mjs')) as Record<string, string>;
    expect(report.resolved).to.match(/\/node_modules\/@traceai\/vllm\/dist\/esm\/src\/index\.js$/);
    expect(report).to.include({ onStart: 'function', onEnding: 'function' });
  });

  it('requires as CommonJS from the CommonJS build', async () => {
    fs.writeFileSync(
      path.join(project, 'check.cjs'),
      `const { VLLMSpanProcessor } = require('@traceai/vllm');\n` +
        `const resolved = require.resolve('@traceai/vllm');\n` +
        `const processor = new VLLMSpanProcessor();\n` +
        `console.log(${REPORT});\nprocessor.shutdown();\n`,
    );
    const report = JSON.parse(await node(project, 'check.cjs')) as Record<string, string>;
    expect(report.resolved).to.match(/\/node_modules\/@traceai\/vllm\/dist\/cjs\/src\/index\.js$/);
    expect(report).to.include({ onStart: 'function', onEnding: 'function' });
  });

  it('gives TypeScript the types of both builds under node16 resolution', async () => {
    // A misuse must be a type error in both: were the types missing, the package would be `any`
    // and the @ts-expect-error lines themselves would fail the compile.
    const body = `const processor = new VLLMSpanProcessor({ maxBodyBytes: 1024 });\nconst options: VLLMSpanProcessorOptions = { baseUrlPattern: /vllm/ };\n` +
      `// @ts-expect-error maxBodyBytes is a number\nnew VLLMSpanProcessor({ maxBodyBytes: 'big' });\nvoid processor.shutdown(); void options;\n`;
    // Same import in both files: the extension decides the format, and so which `exports` condition.
    const source = `import { VLLMSpanProcessor, type VLLMSpanProcessorOptions } from '@traceai/vllm';\n${body}`;
    fs.writeFileSync(path.join(project, 'types-esm.mts'), source);
    fs.writeFileSync(path.join(project, 'types-cjs.cts'), source);
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'ES2022', strict: true, noEmit: true, types: [], skipLibCheck: false },
        files: ['types-esm.mts', 'types-cjs.cts'],
      }),
    );
    const result = await run(process.execPath, [TSC, '-p', project], { cwd: project }).catch((error: { stdout: string }) => error);
    expect(result.stdout.trim()).to.equal('');
  });

  it('declares what users rely on: exports for import and require, engines, sideEffects', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', '@traceai', 'vllm', 'package.json'), 'utf8'));
    expect(manifest.exports['.'].import.types).to.equal('./dist/esm/src/index.d.ts');
    expect(manifest.exports['.'].require.types).to.equal('./dist/cjs/src/index.d.ts');
    // Only the register entry runs code on import (it starts the SDK): bundlers may drop the rest when unused.
    expect(manifest.sideEffects).to.deep.equal(['./dist/cjs/src/register.js', './dist/esm/src/register.js']);
    expect(manifest.engines.node).to.match(/^>=\d+\.\d+\.\d+$/);
    expect(manifest.peerDependencies).to.have.property('@opentelemetry/api');
  });
});
