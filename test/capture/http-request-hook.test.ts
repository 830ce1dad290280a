import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import axios from 'axios';
import { expect } from 'chai';
import sinon from 'sinon';
import { httpRequestHook } from '../../src/capture/http-request-hook';
import { HttpTracing } from '../support/http-tracing';
import { VllmTestServer } from '../support/vllm-server';

/** Node 22+ publishes `http.client.request.created`, before the app writes the body; Node 20 does not. */
const HAS_CREATED_CHANNEL = Number(process.versions.node.split('.')[0]) >= 22;
const BODY_UNSEEN = 'TRACEAI_VLLM_HTTP_REQUEST_BODY_UNSEEN';

describe('node:http request bodies by Node version, and httpRequestHook', () => {
  let server: VllmTestServer;
  let tracing: HttpTracing | undefined;
  let warnings: string[];
  const onWarning = (warning: Error & { code?: string }) => warnings.push(warning.code ?? warning.message);

  before(async () => {
    server = await VllmTestServer.start();
  });
  after(() => server.close());
  beforeEach(() => {
    warnings = [];
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    diag.disable();
    await tracing?.stop();
    tracing = undefined;
  });

  const body = { model: 'm', messages: [{ role: 'user', content: 'say something' }], max_tokens: 3 };
  const call = () => axios.post(`${server.baseUrl}/chat/completions`, body);

  it(`without the hook: ${HAS_CREATED_CHANNEL ? 'the whole call is captured (Node >= 22)' : 'the span carries the response only, and says why once (Node 20)'}`, async () => {
    const logger: DiagLogger = { error: () => {}, warn: sinon.spy(), info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    tracing = new HttpTracing();
    const { data } = await call();
    await call();
    const [span] = await tracing.waitForSpans(2);
    await new Promise(resolve => setImmediate(resolve));
    expect(span.attributes['fi.span.kind']).to.equal('LLM');
    expect(span.attributes['gen_ai.response.id']).to.be.a('string');
    expect(span.attributes['gen_ai.response.model']).to.equal(data.model);
    if (HAS_CREATED_CHANNEL) {
      expect(span.name).to.equal('chat m');
      expect(span.attributes['input.value']).to.equal(JSON.stringify(body));
      expect(warnings).to.not.include(BODY_UNSEEN);
    } else {
      expect(span.name).to.equal('chat');
      expect(span.attributes['input.value']).to.equal(undefined);
      expect(warnings.filter(code => code === BODY_UNSEEN)).to.have.length(1);
      expect((logger.warn as sinon.SinonSpy).callCount).to.equal(1);
    }
    expect(tracing.processor.liveCaptureCount).to.equal(0);
  });

  it('with the hook as requestHook: the whole call is captured, the body once, on every version', async () => {
    tracing = new HttpTracing({ instrumentation: { requestHook: httpRequestHook } });
    await call();
    const [span] = await tracing.waitForSpans(1);
    expect(span.name).to.equal('chat m');
    // On Node >= 22 both the hook and Node's channel announce the request: its body must not be taken twice.
    expect(span.attributes['input.value']).to.equal(JSON.stringify(body));
    expect(warnings).to.not.include(BODY_UNSEEN);
  });

  it('the hook never throws, whatever it is given (server requests, nothing)', () => {
    tracing = new HttpTracing();
    expect(() => httpRequestHook(undefined, undefined)).to.not.throw();
    expect(() => httpRequestHook({}, { headers: {} })).to.not.throw();
    const hostile = { getHeaders: () => ({}), get method(): string { throw new Error('boom'); } };
    expect(() => httpRequestHook({}, hostile)).to.not.throw();
  });
});
