import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import fc from 'fast-check';
import * as zlib from 'zlib';
import { Tracing } from '../support/tracing';
import { VllmTestServer } from '../support/vllm-server';
import { chatRequest, streamBody, streamTruth } from './chat-stream-arbitrary';
import { captureExchange, comparable, expectValidAttributes, interpret, runs, type ExchangeBytes } from './fuzz-support';

const SSE = 'text/event-stream; charset=utf-8';

/** A chat stream exchange, plain or gzip-compressed with a flush per event (as a proxy would send it). */
const streamExchange = fc.tuple(streamTruth, fc.constantFrom(undefined, 'gzip', 'deflate', 'br')).map(([truth, encoding]): ExchangeBytes => {
  const body = Buffer.from(streamBody(truth));
  return {
    endpoint: 'chat',
    request: Buffer.from(JSON.stringify(chatRequest('chunking é 😀'))),
    response: encode(body, encoding),
    contentType: SSE,
    contentEncoding: encoding,
  };
});

function encode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(body);
  if (encoding === 'deflate') return zlib.deflateSync(body);
  if (encoding === 'br') return zlib.brotliCompressSync(body);
  return body;
}

/** Offsets to cut at, as fractions of the body so that they land inside it whatever its length. */
const cutFractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 });

const offsets = (fractions: number[], length: number) => fractions.map(fraction => Math.floor(fraction * length));

/** Bytes a live fold holds before folding them: 0 folds every chunk at once, the others fold runs of chunks. */
const foldBatch = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 }));

describe('chunking independence (property)', () => {
  it('gives the same span for the same bytes cut into random chunks, compressed or not, folded as they arrive or kept', () => {
    fc.assert(
      fc.property(streamExchange, cutFractions, cutFractions, foldBatch, (bytes, requestCuts, responseCuts, batch) => {
        const whole = interpret(captureExchange(bytes, {}, { keepWhole: true })).rewrite;
        const cuts = { request: offsets(requestCuts, bytes.request.length), response: offsets(responseCuts, bytes.response.length) };
        const cut = interpret(captureExchange(bytes, cuts, { foldBatchBytes: batch })).rewrite;
        expect(comparable(cut)).to.deep.equal(comparable(whole));
        expect(whole!.attributes['llm.output_messages.0.role']).to.equal('assistant');
      }),
      runs(120),
    );
  });

  it('gives the same span for a stream cut in two at every offset', () => {
    fc.assert(
      fc.property(streamExchange, bytes => {
        const whole = comparable(interpret(captureExchange(bytes, {}, { keepWhole: true })).rewrite);
        for (let offset = 1; offset < bytes.response.length; offset++) {
          expect(comparable(interpret(captureExchange(bytes, { response: [offset] })).rewrite), `cut at ${offset}`).to.deep.equal(whole);
        }
      }),
      runs(3),
    );
  });

  it('truncates at the same byte whatever the chunking when the body exceeds maxBodyBytes', () => {
    fc.assert(
      fc.property(streamExchange, cutFractions, fc.double({ min: 0.05, max: 0.95, noNaN: true }), foldBatch, (bytes, responseCuts, capFraction, batch) => {
        const cap = Math.max(1, Math.floor(bytes.response.length * capFraction));
        const whole = interpret(captureExchange(bytes, {}, { maxBodyBytes: cap, keepWhole: true })).rewrite;
        const cut = interpret(captureExchange(bytes, { response: offsets(responseCuts, bytes.response.length) }, { maxBodyBytes: cap, foldBatchBytes: batch })).rewrite;
        expect(comparable(cut)).to.deep.equal(comparable(whole));
        expect(whole!.attributes['vllm.capture.truncated']).to.equal(true);
        expectValidAttributes(whole!.attributes);
      }),
      runs(120),
    );
  });

  it('decodes invalid and cut UTF-8 the same way whatever the chunking', () => {
    const strayBytes = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0xff, 0xc3, 0xe2, 0x82, 0xf0, 0x9f, 0x80)), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(streamTruth, strayBytes, cutFractions, foldBatch, (truth, strays, responseCuts, batch) => {
        const body = [...Buffer.from(streamBody(truth))];
        for (const [fraction, byte] of strays) body.splice(Math.floor(fraction * body.length), 0, byte);
        const bytes: ExchangeBytes = { endpoint: 'chat', request: Buffer.from(JSON.stringify(chatRequest('utf-8'))), response: Buffer.from(body), contentType: SSE };
        const whole = interpret(captureExchange(bytes, {}, { keepWhole: true })).rewrite;
        const cut = interpret(captureExchange(bytes, { response: offsets(responseCuts, body.length) }, { foldBatchBytes: batch })).rewrite;
        expect(comparable(cut)).to.deep.equal(comparable(whole));
        expectValidAttributes(whole!.attributes);
      }),
      runs(120),
    );
  });
});

describe('chunking independence end to end (server splitEvery)', () => {
  let server: VllmTestServer;
  let tracing: Tracing;

  before(async () => {
    server = await VllmTestServer.start();
    tracing = new Tracing();
  });
  after(async () => {
    await tracing.stop();
    await server.close();
  });

  /** What must not depend on how the bytes were cut: name, status and attributes but the timing. */
  function stable(span: ReadableSpan) {
    const { 'gen_ai.response.time_to_first_chunk': _timing, ...attributes } = span.attributes;
    return { name: span.name, status: span.status, attributes };
  }

  it('gives the same span whatever TCP writes the same stream arrives in, plain or gzip', async () => {
    const samples = fc.sample(streamTruth, { numRuns: 4, seed: 6 });
    for (const [sample, truth] of samples.entries()) {
      for (const gzip of [false, true]) {
        const events = streamBody(truth).split(/(?<=\n\n)/);
        const spans: Array<ReturnType<typeof stable>> = [];
        const bodies: string[] = [];
        for (const splitEvery of [undefined, 1, 3, 17, 256]) {
          server.respondWith({ events, splitEvery, gzip });
          const response = await fetch(`${server.baseUrl}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(chatRequest(`sample ${sample}`)),
          });
          bodies.push(await response.text());
          const ended = await tracing.waitForSpans(spans.length + 1);
          spans.push(stable(ended[ended.length - 1]));
        }
        tracing.exporter.reset();
        expect(new Set(bodies).size, 'the application read the same text each time').to.equal(1);
        for (const span of spans.slice(1)) expect(span).to.deep.equal(spans[0]);
        expect(spans[0].attributes['llm.output_messages.0.role']).to.equal('assistant');
      }
    }
    expect(tracing.processor.liveCaptureCount).to.equal(0);
  });
});
