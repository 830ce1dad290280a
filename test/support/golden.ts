import * as fs from 'fs';
import * as path from 'path';
import type { Exchange } from '../../src/interpret/exchange';

/** Folder of the golden exchanges: `<scenario>/{exchange.json, request.json, response.json|response.sse, expected.json}`. */
export const EXCHANGES = path.join(__dirname, '..', 'fixtures', 'exchanges');

/** Every scenario folder, sorted. */
export function goldenScenarios(): string[] {
  return fs.readdirSync(EXCHANGES).sort();
}

/** exchange.json: the Exchange's metadata, and optional processor `options` (e.g. maxEmbeddingVectorLength). */
export function loadMeta(folder: string) {
  return JSON.parse(fs.readFileSync(path.join(folder, 'exchange.json'), 'utf8'));
}

/** Builds the Exchange a scenario folder describes (exchange.json + request.json + response.json|.sse). */
export function loadExchange(folder: string): Exchange {
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
