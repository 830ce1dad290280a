import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { expect } from 'chai';
import OpenAI from 'openai';
import { randomBytes } from 'crypto';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import * as zlib from 'zlib';
import { VLLMSpanProcessor } from '../../src';
import type { Tracing } from '../support/tracing';
import { useTracedServer } from '../support/traced-server';
import type { ReceivedRequest, ResponseScript } from '../support/vllm-server';
import { wireJson } from '../support/vllm-wire';

type Encoding = 'gzip' | 'deflate' | 'br';

const ENCODERS: Record<Encoding, (bytes: Buffer) => Buffer> = {
  gzip: bytes => zlib.gzipSync(bytes),
  deflate: bytes => zlib.deflateSync(bytes),
  br: bytes => zlib.brotliCompressSync(bytes),
};

const SSE = 'text/event-stream; charset=utf-8';

/** The body the script would send, whole and uncompressed. */
function plainBody(script: ResponseScript): Buffer {
  if (script.events !== undefined) return Buffer.concat(script.events.map(event => Buffer.from(event)));
  if (script.json !== undefined) return Buffer.from(wireJson(script.json));
  return Buffer.from(script.body ?? '');
}

/** The same answer compressed with `encoding`, sent in writes of `pieceBytes` as a compressing proxy would. */
function compressed(script: ResponseScript, encoding: Encoding, pieceBytes = 4096): ResponseScript {
  const bytes = ENCODERS[encoding](plainBody(script));
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceBytes) chunks.push(bytes.subarray(offset, offset + pieceBytes));
  const contentType = script.events !== undefined ? SSE : 'application/json';
  return { status: script.status, chunks, coalesce: true, headers: { 'content-type': contentType, 'content-encoding': encoding } };
}

/** A chat stream of `count` one-token events, each padded with 300 random base64 characters (barely compressible), compressed. */
function randomTextStream(count: number, encoding: Encoding): ResponseScript {
  // The random text is in a field no mapper reads: what the fold keeps stays small, the compressed body does not.
  const events: string[] = [];
  for (let i = 0; i < count; i++) {
    const padding = randomBytes(225).toString('base64');
    const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'tok ' }, logprobs: null, finish_reason: null }], padding };
    events.push(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  events.push('data: [DONE]\n\n');
  // One write at a time, each read before the next: what the client buffers ahead of the application stays small.
  return { ...compressed({ events }, encoding, 16 * 1024), coalesce: false };
}

/** `global.gc` without `--expose-gc` on the command line (as the soak test does). */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('compressed responses decoded as they arrive', () => {
  const suite = useTracedServer();
  let tracing: Tracing | undefined;
  const client = () => new OpenAI({ baseURL: suite.server.baseUrl, apiKey: 'x', maxRetries: 0 });

  async function onlySpan(): Promise<ReadableSpan> {
    const [span] = await tracing!.waitForSpans(1);
    expect(tracing!.spans()).to.have.length(1);
    expect(tracing!.processor.liveCaptureCount).to.equal(0);
    return span;
  }

  for (const encoding of ['gzip', 'deflate', 'br'] as const) {
    it(`a ${encoding} stream past maxBodyBytes keeps its events before the cap and is marked truncated`, async () => {
      // About 280 KiB decoded, a few KiB compressed: the cap counts decoded bytes.
      tracing = suite.trace({ processor: { maxBodyBytes: 64 * 1024 } });
      suite.server.respondWith((request: ReceivedRequest) => compressed(suite.server.emulate(request), encoding));
      const stream = await client().chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'compressed stream' }],
        stream: true,
        max_tokens: 1500,
      });
      let content = '';
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
      expect(content, 'the application reads every token').to.have.length(6000);
      const span = await onlySpan();
      expect(span.name).to.equal('chat m');
      expect(span.attributes['vllm.capture.truncated']).to.equal(true);
      const partial = span.attributes['llm.output_messages.0.content'] as string;
      expect(partial, 'the events before the cap are folded').to.be.a('string');
      expect(partial.length).to.be.greaterThan(400).and.lessThan(content.length);
      expect(content.startsWith(partial)).to.equal(true);
    });

    it(`a ${encoding} JSON body that decodes past maxBodyBytes is marked truncated`, async () => {
      tracing = suite.trace({ processor: { maxBodyBytes: 4096 } });
      suite.server.respondWith((request: ReceivedRequest) => compressed(suite.server.emulate(request), encoding));
      const answer = await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'compressed json' }], max_tokens: 1500 });
      expect(answer.choices[0].message.content).to.have.length(6000);
      const span = await onlySpan();
      expect(span.name).to.equal('chat m');
      expect(span.attributes['llm.input_messages.0.content']).to.equal('compressed json');
      expect(span.attributes['vllm.capture.truncated']).to.equal(true);
    });
  }

  it('holds no more memory during a large gzip stream than the application does without the processor', async () => {
    const gc = collectGarbage();
    // 10,000 events padded with random text, about 4.6 MiB decoded and 3.6 MiB of gzip: over the
    // default 4 MiB cap once decoded. Built before the baseline, so that only what the calls hold is measured.
    const script = randomTextStream(10000, 'gzip');
    const call = async (withProcessor: boolean): Promise<{ held: number; bytes: number; span: ReadableSpan }> => {
      const exporter = new InMemorySpanExporter();
      const instrumentation = new UndiciInstrumentation();
      const provider = new NodeTracerProvider({ spanProcessors: [...(withProcessor ? [new VLLMSpanProcessor()] : []), new SimpleSpanProcessor(exporter)] });
      instrumentation.setTracerProvider(provider);
      try {
        suite.server.respondWith(script);
        gc();
        const base = process.memoryUsage();
        const samples: number[] = [];
        let bytes = 0;
        let reads = 0;
        const response = await fetch(`${suite.server.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'big' }], stream: true }),
        });
        // Read as an application that only counts: its own memory stays flat.
        for await (const chunk of response.body!) {
          bytes += chunk.length;
          // Collected before each reading, so that what is measured is what is held, not garbage.
          if (++reads % 16 === 0) {
            gc();
            const now = process.memoryUsage();
            samples.push(now.heapUsed - base.heapUsed + now.arrayBuffers - base.arrayBuffers);
          }
        }
        // The median: what the application itself holds at one reading or another comes and goes.
        const held = samples.sort((a, b) => a - b)[samples.length >> 1];
        return { held, bytes, span: exporter.getFinishedSpans()[0] };
      } finally {
        instrumentation.disable();
        await provider.shutdown();
      }
    };
    // The first calls in a process also load and compile code (the processor's too): warm up both first.
    await call(false);
    await call(true);
    const untraced = await call(false);
    const traced = await call(true);
    expect(traced.bytes).to.equal(untraced.bytes);
    expect(traced.span.attributes['vllm.capture.truncated'], 'over the 4 MiB cap once decoded').to.equal(true);
    expect((traced.span.attributes['llm.output_messages.0.content'] as string).length, 'the events before the cap are kept').to.be.greaterThan(4 * 8000);
    // Before decoding as it arrived the processor held 32-42 MB more here; the bound leaves room for a loaded machine's noise.
    expect(traced.held - untraced.held, `held with the processor ${traced.held}, without ${untraced.held}`).to.be.lessThan(8 * 1024 * 1024);
  });
});
