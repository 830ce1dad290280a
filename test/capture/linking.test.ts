import { expect } from 'chai';
import { context, createContextKey, trace, TraceFlags, type Context, type Tracer } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler, type ReadableSpan, type Sampler } from '@opentelemetry/sdk-trace-base';
import { runInNewContext } from 'vm';
import { setFlagsFromString } from 'v8';
import type { TracingOptions, SubscriptionOrder } from '../support/tracing';
import { useTracedServer } from '../support/traced-server';
import { chatCompletion } from '../support/vllm-wire';

/**
 * A span may only carry the data of the request it was started for (issue 17 item 1): call A gets
 * no span (sampler, ignore hook, no parent), call B does; B's span must hold B's exchange and
 * nothing of A's, in both construction orders, one after the other and interleaved.
 */

/**
 * Both calls go to the same URL (the old pairing compared URLs): the call to drop is marked in
 * its context, for samplers, and by a header, for `ignoreRequestHook`.
 */
const DROP_KEY = createContextKey('drop this call');
const DROP_HEADER = 'x-test-drop';

/** A sampler that says NOT_RECORD to the calls marked for dropping and records the others. */
const dropMarkedSampler: Sampler = {
  shouldSample: (parent: Context) => ({
    decision: parent.getValue(DROP_KEY) === true ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED,
  }),
  toString: () => 'DropMarked',
};

/** A context whose parent span was not sampled, for ParentBased samplers. */
const unsampledParent = (): Context =>
  trace.setSpanContext(context.active(), { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true });

interface Setup {
  name: string;
  tracing: TracingOptions;
  /** The context call A runs in (default: the active one). */
  contextOfDropped?: () => Context;
  /** The context call B runs in (default: the active one), given the provider's tracer. */
  contextOfKept?: (tracer: Tracer) => Context;
}

const SETUPS: Setup[] = [
  { name: 'a sampler that drops the call', tracing: { sampler: dropMarkedSampler } },
  { name: 'an unsampled parent under ParentBased', tracing: { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) }, contextOfDropped: unsampledParent },
    {
    name: 'ignoreRequestHook',
    tracing: { instrumentation: { ignoreRequestHook: request => JSON.stringify(request.headers).includes(DROP_HEADER) } },
  },
  {
    name: 'requireParentforSpans',
    tracing: { instrumentation: { requireParentforSpans: true } },
    contextOfKept: tracer => trace.setSpan(context.active(), tracer.startSpan('app operation')),
  },
];

/** What any export of a span shows: name, attributes, events, status, links. */
const serialized = (span: ReadableSpan): string =>
  JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, links: span.links });

describe('linking: a span carries only its own request', () => {
  const suite = useTracedServer();

  /** One chat call over fetch, its prompt and model naming the call. */
  async function chat(name: string, drop = false): Promise<void> {
    const response = await fetch(`${suite.server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(drop ? { [DROP_HEADER]: '1' } : {}) },
      body: JSON.stringify({ model: `model-${name}`, messages: [{ role: 'user', content: `prompt-of-${name}` }] }),
    });
    expect(response.status).to.equal(200);
    await response.text();
  }

  /** Queues two answers, each naming the call it answers; the first waits `firstDelayMs` between writes, the second `secondDelayMs`. */
  function answer(firstDelayMs: number, secondDelayMs: number): void {
    const answerOf = (request: { body: string }, delayMs: number) => {
      const model = JSON.parse(request.body).model as string;
      return { json: chatCompletion({ model, content: `answer-of-${model.slice('model-'.length)}` }), chunks: undefined, delayMs, splitEvery: 64 };
    };
    suite.server.respondWith(request => answerOf(request, firstDelayMs), request => answerOf(request, secondDelayMs));
  }

  /** Call A, in the setup's context for the call that gets no span, marked for dropping. */
  const callA = (setup: Setup) => context.with((setup.contextOfDropped?.() ?? context.active()).setValue(DROP_KEY, true), () => chat('A', true));

  function checkOnlyB(spans: ReadableSpan[]): void {
    const llm = spans.filter(span => span.attributes['fi.span.kind'] !== undefined);
    expect(llm.map(span => span.name)).to.deep.equal(['chat model-B']);
    const text = serialized(llm[0]);
    expect(text).to.include('prompt-of-B').and.include('answer-of-B');
    expect(text).not.to.include('prompt-of-A');
    expect(text).not.to.include('answer-of-A');
    expect(text).not.to.include('model-A');
    for (const span of spans) expect(serialized(span)).not.to.include('prompt-of-A');
  }

  for (const order of ['processor-first', 'instrumentation-first'] as SubscriptionOrder[]) {
    for (const setup of SETUPS) {
      describe(`${order}, ${setup.name}`, () => {
        it('sequential: the dropped call first, then the traced one', async () => {
          const tracing = suite.trace({ ...setup.tracing, order });
          answer(0, 0);
          await callA(setup);
          await context.with(setup.contextOfKept?.(tracing.provider.getTracer('app')) ?? context.active(), () => chat('B'));
          checkOnlyB(await tracing.waitForSpans(1));
          expect(tracing.processor.liveCaptureCount).to.equal(0);
        });

        for (const [first, second] of [[30, 0], [0, 30]]) {
          it(`concurrent: both in flight, answers after ${first} and ${second} ms`, async () => {
            const tracing = suite.trace({ ...setup.tracing, order });
            answer(first, second);
            await Promise.all([
              callA(setup),
              context.with(setup.contextOfKept?.(tracing.provider.getTracer('app')) ?? context.active(), () => chat('B')),
            ]);
            checkOnlyB(await tracing.waitForSpans(1));
            expect(tracing.processor.liveCaptureCount).to.equal(0);
          });
        }
      });
    }

    it(`${order}, a ratio sampler: every recorded span holds its own call, 40 calls at once`, async () => {
      const tracing = suite.trace({ sampler: new TraceIdRatioBasedSampler(0.5), order });
      suite.server.respondWith(
        ...Array.from({ length: 40 }, (_, i) => (request: { body: string }) => ({
          json: chatCompletion({ model: JSON.parse(request.body).model, content: `answer-of-${JSON.parse(request.body).model}` }),
          delayMs: (i * 7) % 13,
        })),
      );
      await Promise.all(Array.from({ length: 40 }, (_, i) => chat(`call${String(i).padStart(2, '0')}`)));
      await new Promise(resolve => setTimeout(resolve, 50));
      const spans = tracing.spans();
      expect(spans.length).to.be.within(1, 39);
      for (const span of spans) {
        const model = span.attributes['llm.model'] as string;
        expect(model).to.match(/^model-call\d\d$/);
        const text = serialized(span);
        const name = model.slice('model-'.length);
        expect(text).to.include(`prompt-of-${name}`).and.include(`answer-of-model-${name}`);
        expect(text.match(/prompt-of-call\d\d/g)!.every(found => found === `prompt-of-${name}`)).to.equal(true);
      }
    });

    it(`${order}, no sampled span at all: the processor holds nothing of a call after it`, async function () {
      this.timeout(30_000);
      const gc = exposedGc();
      const prompt = 'x'.repeat(30 * 1024 * 1024);
      /** Heap still used after a GC, once a 30 MiB chat call is over; the test server forgets what it received. */
      const retainedByOneCall = async (): Promise<number> => {
        gc();
        const before = process.memoryUsage().heapUsed;
        await fetch(`${suite.server.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: prompt }] }),
        }).then(response => response.text());
        await new Promise(resolve => setTimeout(resolve, 20));
        suite.server.requests.length = 0;
        gc();
        return process.memoryUsage().heapUsed - before;
      };
      // Without any processor: what undici and V8 keep of such a call on their own.
      const baseline = await retainedByOneCall();
      const tracing = suite.trace({ sampler: new AlwaysOffSampler(), order });
      const withProcessor = await retainedByOneCall();
      expect(tracing.spans()).to.deep.equal([]);
      expect(withProcessor - baseline).to.be.below(8 * 1024 * 1024);
    });
  }
});

/** `global.gc` without `--expose-gc` on the command line. */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
