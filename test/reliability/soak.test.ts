import { expect } from 'chai';
import { ProcessFailureWatch } from './support';
import { runSoak, soakFailures } from '../soak/soak';

// The short soak of `npm test`; `npm run soak` runs 20,000 requests and also bounds the heap growth.
describe('reliability: short soak', () => {
  it('leaves one LLM span per request and no live capture record after 2,000 mixed requests', async function () {
    this.timeout(120_000);
    const watch = new ProcessFailureWatch().arm();
    const figures = await runSoak({ requests: 2000, warmup: 500 });
    expect(watch.disarm()).to.deep.equal([]);
    // The heap is not checked here: other suites share this process and its heap.
    expect(soakFailures(figures, undefined)).to.deep.equal([]);
    expect(figures.outcomes).to.deep.equal({ ok: 1400, aborted: 400, failed: 200, unexpected: 0 });
    expect(figures.spansWithOutput).to.be.at.least(figures.outcomes.ok);
  });
});
