import { expect } from 'chai';
import { endpointForPath, UrlPattern } from '../src/routing';

describe('routing', () => {
  it('recognises inference paths by suffix, behind a path-prefix proxy and with a query string', () => {
    expect(endpointForPath('/v1/chat/completions')).to.equal('chat');
    expect(endpointForPath('/llama/v1/chat/completions')).to.equal('chat');
    expect(endpointForPath('/v1/chat/completions?api-version=1')).to.equal('chat');
    expect(endpointForPath('/v1/completions')).to.equal('completion');
    expect(endpointForPath('/v1/embeddings/')).to.equal('embedding');
    expect(endpointForPath('/v2/rerank')).to.equal('rerank');
    expect(endpointForPath('/v1/score')).to.equal('score');
  });

  it('does not take non-inference paths', () => {
    for (const path of ['/v1/models', '/health', '/metrics', '/tokenize', '/detokenize', '/version', '/v1/chat/completions/x', '/']) {
      expect(endpointForPath(path), path).to.equal(undefined);
    }
  });

  it('matches a string pattern as a substring and a RegExp by test', () => {
    expect(new UrlPattern('localhost:8000').matches('http://localhost:8000/v1/chat/completions')).to.equal(true);
    expect(new UrlPattern('localhost:8000').matches('http://localhost:9000/v1/chat/completions')).to.equal(false);
    expect(new UrlPattern(/vllm\.internal:\d+/).matches('http://vllm.internal:8000/v1')).to.equal(true);
    expect(new UrlPattern(undefined).matches('https://anything/')).to.equal(true);
  });

  it('gives a global RegExp the same answer on every call', () => {
    const pattern = new UrlPattern(/vllm/g);
    const answers = [1, 2, 3, 4].map(() => pattern.matches('http://vllm:8000/v1/chat/completions'));
    expect(answers).to.deep.equal([true, true, true, true]);
  });

  it('rejects a pattern that is neither a non-empty string nor a RegExp', () => {
    expect(() => new UrlPattern(42 as never)).to.throw(TypeError, /baseUrlPattern must be a string or a RegExp, got number/);
    expect(() => new UrlPattern('')).to.throw(TypeError, /empty/);
  });
});
