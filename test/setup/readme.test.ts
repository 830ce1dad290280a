import { expect } from 'chai';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { VllmTestServer } from '../support/vllm-server';
import { ROOT } from '../support/paths';


/** The first ```js block after a heading of README.md. */
function codeBlockAfter(heading: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no js block after ${heading}`);
  return match[1];
}

describe('README quick start', () => {
  let server: VllmTestServer;
  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server.close());

  it('runs as written against a vLLM-compatible server and prints the LLM span', async () => {
    // Two substitutions only: the package is this checkout's source, and the server is the local one.
    const script = codeBlockAfter('## Quick start')
      .replace("from '@traceai/vllm'", `from ${JSON.stringify(path.join(ROOT, 'src', 'index.ts'))}`)
      .replaceAll('localhost:8000', `127.0.0.1:${server.port}`);
    // Under node_modules so that the script's bare imports resolve to this checkout's packages.
    const folder = path.join(ROOT, 'node_modules', '.cache', 'readme-test');
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'trace-vllm.mjs');
    fs.writeFileSync(file, script);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { timeout: 30000 });
    expect(stdout).to.contain("name: 'chat meta-llama/Llama-3.1-8B-Instruct'");
    expect(stdout).to.contain("'fi.span.kind': 'LLM'");
    expect(stdout).to.match(/'llm\.token_count\.total': \d+/);
    expect(server.requests).to.have.length(1);
  });
});
