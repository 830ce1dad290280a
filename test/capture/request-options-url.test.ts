import { expect } from 'chai';
import { clientRequestUrl, requestOptionsUrl, type ClientRequestLike } from '../../src/capture/http-request';
import * as http from 'http';
import * as https from 'https';

describe('the URL of http.request options (VLLMInstrumentation ignores every other outgoing request by it)', () => {
  it('spells it as the request, once made, spells its url.full', () => {
    const cases: Array<[http.RequestOptions, string]> = [
      [{ hostname: '127.0.0.1', port: 8000, path: '/v1/chat/completions' }, 'http://127.0.0.1:8000/v1/chat/completions'],
      [{ host: 'localhost:8000', path: '/v1/completions' }, 'http://localhost:8000/v1/completions'],
      [{ protocol: 'https:', hostname: 'vllm.example', port: 443, path: '/v1/embeddings' }, 'https://vllm.example/v1/embeddings'],
      [{ hostname: 'vllm.example', port: '80', path: '/v1/rerank?x=1' }, 'http://vllm.example/v1/rerank?x=1'],
      [{ hostname: '::1', port: 8000, path: '/v1/score' }, 'http://[::1]:8000/v1/score'],
      [{ path: '/v1/chat/completions' }, 'http://localhost/v1/chat/completions'],
    ];
    for (const [options, url] of cases) {
      expect(requestOptionsUrl(options), JSON.stringify(options)).to.equal(url);
      // The same URL from the request http.request makes of these options (its Host header), never sent.
      const request = (options.protocol === 'https:' ? https : http).request({ ...options, agent: false, lookup: () => undefined });
      request.on('error', () => undefined);
      expect(clientRequestUrl(request as unknown as ClientRequestLike), JSON.stringify(options)).to.equal(url);
      request.destroy();
    }
  });
});
