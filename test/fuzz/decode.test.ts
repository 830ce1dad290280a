import { expect } from 'chai';
import fc from 'fast-check';
import * as zlib from 'zlib';
import { bodyText } from '../../src/interpret/body';
import { decodeContent } from '../../src/interpret/decode';
import { chatRequest } from './chat-stream-arbitrary';
import { captureExchange, expectValidAttributes, interpret, runs } from './fuzz-support';

type Encoder = (bytes: Buffer) => Buffer;

const ENCODERS: Array<[string, Encoder]> = [
  ['gzip', bytes => zlib.gzipSync(bytes)],
  ['x-gzip', bytes => zlib.gzipSync(bytes)],
  ['deflate', bytes => zlib.deflateSync(bytes)],
  // Raw deflate under the `deflate` name: sent by some servers, accepted by fetch.
  ['deflate', bytes => zlib.deflateRawSync(bytes)],
  ['br', bytes => zlib.brotliCompressSync(bytes)],
  ['gzip, br', bytes => zlib.brotliCompressSync(zlib.gzipSync(bytes))],
  ['identity', bytes => bytes],
];

/** Random bytes, or compressible text (what bodies really are). */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map(bytes => Buffer.from(bytes)),
  fc.string({ unit: 'grapheme', maxLength: 400 }).map(text => Buffer.from(text.repeat(3))),
);

const encoder = fc.constantFrom(...ENCODERS);

describe('content decoding (property)', () => {
  it('round-trips every supported encoding', () => {
    fc.assert(
      fc.property(payload, encoder, (bytes, [encoding, encode]) => {
        expect(decodeContent(encode(bytes), encoding).equals(bytes)).to.equal(true);
      }),
      runs(300),
    );
  });

  it('decodes an encoded body cut at every offset to a prefix of the original, never throwing', () => {
    fc.assert(
      fc.property(payload, encoder, (bytes, [encoding, encode]) => {
        const encoded = encode(bytes);
        for (let cut = 0; cut <= encoded.length; cut++) {
          const { text, problem } = bodyText(encoded.subarray(0, cut), encoding);
          if (text === undefined) expect(problem).to.be.a('string');
          const decoded = decodeContent(encoded.subarray(0, cut), encoding);
          expect(bytes.subarray(0, decoded.length).equals(decoded), `cut at ${cut}`).to.equal(true);
        }
      }),
      runs(40),
    );
  });

  it('never lets a corrupt or mislabelled body throw out of interpretExchange', () => {
    const corruption = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    const label = fc.oneof(
      fc.constantFrom('gzip', 'deflate', 'br', 'gzip, br', 'x-gzip', 'compress', 'zstd', 'GZIP', ' , ,', 'identity, gzip'),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(payload, encoder, corruption, label, fc.constantFrom('text/event-stream', 'application/json', undefined), (bytes, [, encode], flips, contentEncoding, contentType) => {
        const response = Buffer.from(encode(bytes));
        for (const [fraction, value] of flips) if (response.length > 0) response[Math.floor(fraction * (response.length - 1))] = value;
        const { rewrite } = interpret(
          captureExchange({ endpoint: 'chat', request: Buffer.from(JSON.stringify(chatRequest('corrupt'))), response, contentType, contentEncoding }),
        );
        expect(rewrite.attributes['llm.input_messages.0.content']).to.equal('corrupt');
        expectValidAttributes(rewrite.attributes);
      }),
      runs(500),
    );
  });

  it('refuses to inflate a compression bomb beyond maxBodyBytes', () => {
    // 64 MiB of zeros in 64 KiB of gzip: under a 4 MiB cap, 4 GiB would have been allocated.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const capped = bodyText(bomb, 'gzip', 1024 * 1024);
    // Never hand chai a 64 MiB string: its diff would be the crash.
    expect(capped.text === undefined, 'the bomb was not decoded').to.equal(true);
    expect(capped.problem).to.match(/1048576/);
    const { rewrite, problems } = interpret(
      captureExchange({ endpoint: 'chat', request: Buffer.from(JSON.stringify(chatRequest('bomb'))), response: bomb, contentType: 'application/json', contentEncoding: 'gzip' }, {}, { maxBodyBytes: 1024 * 1024 }),
    );
    expect(rewrite.attributes['llm.input_messages.0.content']).to.equal('bomb');
    // Decoded as it arrives, up to the cap and no further: the span says it was cut.
    expect(rewrite.attributes['vllm.capture.truncated']).to.equal(true);
    expect(problems.join('\n')).to.match(/fails its schema/);
  });
});
