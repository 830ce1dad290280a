import { expect } from 'chai';
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { ROOT } from '../support/paths';

describe('npm run demo', () => {
  it('prints the three LLM spans of the embedded server calls', async () => {
    const env = { ...process.env };
    delete env.VLLM_BASE_URL;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'examples', 'demo.ts')], { env, timeout: 30000 });
    const spanLines = stdout.split('\n').filter(line => line.startsWith('── span'));
    expect(spanLines).to.have.length(3);
    expect(spanLines[0]).to.match(/span "chat meta-llama\/Llama-3\.1-8B-Instruct" .* status UNSET/);
    expect(stdout).to.match(/llm\.output_messages\.0\.tool_calls\.0\.function\.name = "get_weather"/);
    expect(stdout).to.match(/gen_ai\.response\.time_to_first_chunk = \d/);
    expect(spanLines[2]).to.match(/span "chat no-such-model" .* status ERROR \(The model `no-such-model` does not exist\.\)/);
  });
});
