import { expect } from 'chai';
import * as sinon from 'sinon';
import OpenAI from 'openai';
import { diag, DiagLogLevel, propagation, type DiagLogger } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { VLLMSpanProcessor } from '../../src';
import type { SubscriptionOrder } from '../support/tracing';
import { useTracedServer } from '../support/traced-server';
import { chatCompletion } from '../support/vllm-wire';

/**
 * One LLM span per call, whatever the setup (issues 17 item 5, 18 item 4): construction order
 * and place in `spanProcessors` do not matter on any SDK, two processors do not both rewrite a
 * span, a redirect hop stays HTTP, and a setup that cannot work says so without a diag logger.
 */

function expectChatSpan(span: ReadableSpan): void {
  expect(span.name).to.equal('chat m');
  expect(span.attributes).to.include({ 'fi.span.kind': 'LLM', 'llm.model': 'm', 'llm.output_messages.0.content': 'Paris', 'llm.token_count.prompt': 5 });
}

/** A diag logger spy, and Node process warnings, collected for one test. */
function watchWarnings(): { warnings: string[]; diagWarn: sinon.SinonSpy; restore: () => void } {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  const logger: DiagLogger = { error: () => {}, warn: sinon.spy(), info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return {
    warnings,
    diagWarn: logger.warn as sinon.SinonSpy,
    restore: () => {
      process.off('warning', onWarning);
      diag.disable();
    },
  };
}

/** Process warnings are emitted on the next tick. */
const nextTick = () => new Promise(resolve => setImmediate(resolve));

describe('setups: one LLM span per call', () => {
  const suite = useTracedServer();

  async function chat(): Promise<void> {
    suite.server.respondWith({ json: chatCompletion({ model: 'm', content: 'Paris', usage: { promptTokens: 5, completionTokens: 1 } }) });
    const client = new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'k', maxRetries: 0 });
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Capital of France?' }] });
  }

  for (const withoutOnEnding of [false, true]) {
    for (const order of ['processor-first', 'instrumentation-first'] as SubscriptionOrder[]) {
      for (const position of ['first', 'last'] as const) {
        it(`${withoutOnEnding ? 'an SDK without onEnding' : 'an SDK with onEnding'}, ${order}, processor ${position} in spanProcessors`, async () => {
          const watch = watchWarnings();
          try {
            const tracing = suite.trace({ order, position, withoutOnEnding });
            await chat();
            const [span] = await tracing.waitForSpans(1);
            expectChatSpan(span);
            expect(tracing.processor.liveCaptureCount).to.equal(0);
            await nextTick();
            expect(watch.warnings).to.deep.equal([]);
          } finally {
            watch.restore();
          }
        });
      }
    }
  }

  it('two processors on one provider: the first in spanProcessors rewrites, the second is told once', async () => {
    const watch = watchWarnings();
    try {
      const tracing = suite.trace({ processor: { traceConfig: { hideOutputs: true } }, moreProcessors: [new VLLMSpanProcessor()] });
      await chat();
      await chat();
      const spans = await tracing.waitForSpans(2);
      for (const span of spans) {
        expect(span.name).to.equal('chat m');
        // The plain processor placed second must not undo the first one's hideOutputs.
        expect(span.attributes['llm.output_messages.0.content']).to.equal('__REDACTED__');
        expect(JSON.stringify(span.attributes)).not.to.include('Paris');
      }
      await nextTick();
      expect(watch.warnings.filter(warning => warning.includes('two VLLMSpanProcessors'))).to.have.length(1);
      expect(watch.diagWarn.callCount).to.equal(1);
    } finally {
      watch.restore();
    }
  });

  it('a redirected call: the 307 hop stays HTTP, the hop that answers is the LLM span', async () => {
    const tracing = suite.trace();
    suite.server.respondWith(
      { status: 307, headers: { location: '/v1/chat/completions' }, body: '' },
      { json: chatCompletion({ model: 'm', content: 'Paris', usage: { promptTokens: 5, completionTokens: 1 } }) },
    );
    const response = await fetch(`${suite.server.baseUrl}/chat/completions?hop=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Capital of France?' }] }),
    });
    expect(response.status).to.equal(200);
    await response.text();
    const spans = await tracing.waitForSpans(2);
    const llm = spans.filter(span => span.attributes['fi.span.kind'] !== undefined);
    expect(llm).to.have.length(1);
    expectChatSpan(llm[0]);
    const hop = spans.find(span => span.attributes['http.response.status_code'] === 307)!;
    expect(hop.name).to.equal('POST');
    expect(Object.keys(hop.attributes).filter(key => /^(llm|gen_ai|fi|input|output)\./.test(key))).to.deep.equal([]);
  });

  it('no propagator registered: calls stay HTTP spans, and the user is told once, without a diag logger', async () => {
    propagation.disable();
    const watch = watchWarnings();
    diag.disable();
    try {
      const tracing = suite.trace();
      await chat();
      await chat();
      const spans = await tracing.waitForSpans(2);
      expect(spans.map(span => span.name)).to.deep.equal(['POST', 'POST']);
      expect(tracing.processor.liveCaptureCount).to.equal(0);
      await nextTick();
      expect(watch.warnings.filter(warning => warning.includes('no trace-context propagator'))).to.have.length(1);
    } finally {
      watch.restore();
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    }
  });
});
