import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { interpretExchange } from '../../src/interpret/interpret';
import { resolveOptions } from '../../src/options';
import { SchemaValidator } from '../../src/interpret/validation';
import { EXCHANGES, goldenScenarios, loadExchange, loadMeta } from '../support/golden';
import { asLiveExchange } from '../support/live-exchange';

// Golden exchanges: request + response bytes in, expected span rewrite out.
// `UPDATE_GOLDEN=1 npx mocha test/endpoints/golden-exchanges.test.ts` rewrites expected.json; review the diff.

describe('golden exchanges', () => {
  const validator = new SchemaValidator();
  for (const scenario of goldenScenarios()) {
    it(scenario, () => {
      const folder = path.join(EXCHANGES, scenario);
      const problems: string[] = [];
      const context = { validator, options: resolveOptions(loadMeta(folder).options) };
      const actual = JSON.parse(JSON.stringify(interpretExchange(loadExchange(folder), context, p => problems.push(p))));
      const expectedFile = path.join(folder, 'expected.json');
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(expectedFile, JSON.stringify({ ...actual, problems }, null, 2) + '\n');
      const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
      expect({ ...actual, problems }).to.deep.equal(expected);

      // An SSE response folded while it arrives, as the processor does, gives the same rewrite and problems.
      const live = asLiveExchange(loadExchange(folder), context);
      if (live !== undefined) {
        const liveProblems: string[] = [];
        const liveActual = JSON.parse(JSON.stringify(interpretExchange(live, context, p => liveProblems.push(p))));
        expect({ ...liveActual, problems: liveProblems }).to.deep.equal(expected);
      }
    });
  }

  it('folds every recorded stream live as well (the comparison above is not skipped for them)', () => {
    const context = { validator, options: resolveOptions({}) };
    const streams = goldenScenarios().filter(scenario => scenario.includes('-stream'));
    expect(streams.length).to.be.greaterThan(0);
    for (const scenario of streams) expect(asLiveExchange(loadExchange(path.join(EXCHANGES, scenario)), context), scenario).to.not.equal(undefined);
  });
});
