import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import type { Exchange } from '../src/internal-types';
import { interpretExchange } from '../src/interpret';
import { resolveOptions } from '../src/options';
import { SchemaValidator } from '../src/validation';

// Golden exchanges: request + response bytes in, expected span rewrite out.
// `UPDATE_GOLDEN=1 npx mocha test/golden-exchanges.test.ts` rewrites expected.json; review the diff.
const EXCHANGES = path.join(__dirname, 'fixtures', 'exchanges');

/** exchange.json: the Exchange's metadata, and optional processor `options` (e.g. maxEmbeddingVectorLength). */
function loadMeta(folder: string) {
  return JSON.parse(fs.readFileSync(path.join(folder, 'exchange.json'), 'utf8'));
}

/** Builds the Exchange a scenario folder describes (exchange.json + request.json + response.json|.sse). */
function loadExchange(folder: string): Exchange {
  const meta = loadMeta(folder);
  const responseFile = ['response.json', 'response.sse'].map(name => path.join(folder, name)).find(fs.existsSync);
  return {
    endpoint: meta.endpoint,
    requestBody: fs.readFileSync(path.join(folder, 'request.json')),
    requestTruncated: false,
    statusCode: meta.statusCode,
    contentType: meta.contentType,
    responseBody: responseFile === undefined ? Buffer.alloc(0) : fs.readFileSync(responseFile),
    responseTruncated: meta.responseTruncated ?? false,
    timeToFirstChunk: meta.timeToFirstChunk,
    transportError: meta.transportError,
  };
}

describe('golden exchanges', () => {
  const validator = new SchemaValidator();
  for (const scenario of fs.readdirSync(EXCHANGES).sort()) {
    it(scenario, () => {
      const folder = path.join(EXCHANGES, scenario);
      const problems: string[] = [];
      const context = { validator, options: resolveOptions(loadMeta(folder).options) };
      const actual = JSON.parse(JSON.stringify(interpretExchange(loadExchange(folder), context, p => problems.push(p)) ?? null));
      const expectedFile = path.join(folder, 'expected.json');
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(expectedFile, JSON.stringify({ ...actual, problems }, null, 2) + '\n');
      const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
      expect({ ...actual, problems }).to.deep.equal(expected);
    });
  }
});
