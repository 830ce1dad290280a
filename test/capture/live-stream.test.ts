import { expect } from 'chai';
import { CaptureRecord } from '../../src/capture/capture-record';
import type { EndpointHandler } from '../../src/endpoints/endpoint-handler';
import { ENDPOINT_HANDLERS } from '../../src/endpoints/registry';
import { interpretExchange } from '../../src/interpret/interpret';
import { resolveOptions } from '../../src/options';
import { FOLD_BATCH_BYTES, foldsAsItArrives, LiveStreamFold, MAX_CHUNK_INTERVALS } from '../../src/interpret/stream-fold';
import type { ProcessorSpan } from '../../src/types';
import { SchemaValidator } from '../../src/interpret/validation';

const context = { validator: new SchemaValidator(), options: resolveOptions({}) };
const SSE = 'text/event-stream; charset=utf-8';
const REQUEST = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });

function chunkEvent(content: string): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}

/** A chat handler whose stream mapper only collects the text of each event it is given. */
function countingHandler(folded: string[]): EndpointHandler {
  return {
    ...ENDPOINT_HANDLERS.chat,
    createStreamMapper: () => ({
      addText: text => folded.push(text) > 0,
      add: () => undefined,
      finish: () => ({ attributes: {}, invalidEvents: 0 }),
    }),
  };
}

/** A record linked as the processor links it, with the SSE response head in. */
function streamRecord(maxBodyBytes: number): CaptureRecord {
  // The record only carries the span for the processor.
  const record = new CaptureRecord({} as ProcessorSpan, 'chat', maxBodyBytes);
  record.requestBody.append(REQUEST);
  record.statusCode = 200;
  record.contentType = SSE;
  record.liveResponse = new LiveStreamFold(ENDPOINT_HANDLERS.chat, context);
  return record;
}

describe('SSE responses folded as they arrive', () => {
  it('are taken only for SSE below 400 whose content coding (if any) is undone as it arrives', () => {
    expect(foldsAsItArrives({ statusCode: 200, contentType: SSE })).to.equal(true);
    expect(foldsAsItArrives({ statusCode: 200, contentType: 'Text/Event-Stream', contentEncoding: 'identity' })).to.equal(true);
    for (const coding of ['gzip', 'x-gzip', 'deflate', 'br', 'gzip, br']) expect(foldsAsItArrives({ statusCode: 200, contentType: SSE, contentEncoding: coding }), coding).to.equal(true);
    expect(foldsAsItArrives({ statusCode: 200, contentType: SSE, contentEncoding: 'zstd' })).to.equal(false);
    expect(foldsAsItArrives({ statusCode: 400, contentType: SSE })).to.equal(false);
    expect(foldsAsItArrives({ statusCode: 200, contentType: 'application/json' })).to.equal(false);
    expect(foldsAsItArrives({ statusCode: 200 })).to.equal(false);
  });

  it('keep no byte of the body in the record, yet count every byte against the cap', () => {
    const body = chunkEvent('Hel') + chunkEvent('lo') + 'data: [DONE]\n\n';
    const record = streamRecord(body.length - 10);
    for (const piece of body.match(/[\s\S]{1,7}/g)!) record.addResponseChunk(Buffer.from(piece));
    const exchange = record.toExchange();
    expect(exchange.responseBody.length, 'bytes kept').to.equal(0);
    expect(record.responseBody.bytes).to.equal(body.length - 10);
    expect(exchange.responseTruncated).to.equal(true);
    const rewrite = interpretExchange(exchange, context, () => undefined);
    expect(rewrite.attributes['llm.output_messages.0.content']).to.equal('Hello');
    expect(rewrite.attributes['vllm.capture.truncated']).to.equal(true);
  });

  it('time each chunk only when asked (metrics on), keeping at most MAX_CHUNK_INTERVALS intervals', () => {
    const untimed = new LiveStreamFold(ENDPOINT_HANDLERS.chat, context);
    untimed.write(Buffer.from(chunkEvent('a')));
    untimed.write(Buffer.from(chunkEvent('b')));
    expect(untimed.chunkIntervals()).to.equal(undefined);
    const timed = new LiveStreamFold(ENDPOINT_HANDLERS.chat, context, undefined, true);
    const event = Buffer.from(chunkEvent('t'));
    timed.write(event);
    expect(timed.chunkIntervals()).to.deep.equal([]);
    for (let i = 0; i < MAX_CHUNK_INTERVALS + 10; i++) timed.write(event);
    const intervals = timed.chunkIntervals()!;
    expect(intervals).to.have.length(MAX_CHUNK_INTERVALS);
    expect(intervals.every(seconds => seconds >= 0 && seconds < 1)).to.equal(true);
  });

  it('hold less than a batch of bytes: events are folded once a batch is full, the rest at the end', () => {
    const folded: string[] = [];
    const live = new LiveStreamFold(countingHandler(folded), context);
    const event = chunkEvent('token');
    const eventsPerBatch = Math.ceil(FOLD_BATCH_BYTES / event.length);
    for (let i = 1; i < eventsPerBatch; i++) live.write(Buffer.from(event));
    expect(folded, 'folded before the batch is full').to.have.length(0);
    live.write(Buffer.from(event));
    expect(folded, 'folded when the batch is full').to.have.length(eventsPerBatch);
    live.write(Buffer.from(event));
    expect(folded).to.have.length(eventsPerBatch);
    live.finish(() => undefined, []);
    expect(folded, 'the rest folded at the end').to.have.length(eventsPerBatch + 1);
  });

  it('fold what they hold as soon as the cap is reached, not at the span\'s end', () => {
    const folded: string[] = [];
    const record = streamRecord(1000);
    record.liveResponse = new LiveStreamFold(countingHandler(folded), context);
    const event = chunkEvent('token');
    while (record.responseBody.bytes + event.length <= 1000) record.addResponseChunk(Buffer.from(event));
    expect(folded, 'nothing folded below the cap (a batch is 64 KiB)').to.have.length(0);
    record.addResponseChunk(Buffer.from(event));
    expect(record.responseBody.truncated).to.equal(true);
    expect(folded, 'the complete events under the cap, folded when it was reached').to.have.length(Math.floor(1000 / event.length));
  });

  it('never throw into undici when folding throws: the response maps nothing, the request still does', () => {
    const throwing: EndpointHandler = {
      ...ENDPOINT_HANDLERS.chat,
      createStreamMapper: () => ({
        addText: () => {
          throw new Error('boom');
        },
        add: () => undefined,
        finish: () => ({ attributes: { 'llm.output_messages.0.content': 'never' }, invalidEvents: 0 }),
      }),
    };
    // Every chunk folded as it is written, so that the throw happens inside `write`.
    const live = new LiveStreamFold(throwing, context, 0);
    expect(() => live.write(Buffer.from(chunkEvent('a')))).to.not.throw();
    expect(() => live.write(Buffer.from(chunkEvent('b')))).to.not.throw();
    const record = streamRecord(1 << 20);
    record.liveResponse = live;
    const problems: string[] = [];
    const rewrite = interpretExchange(record.toExchange(), context, problem => problems.push(problem));
    expect(problems).to.deep.equal(['stream mapping failed: Error: boom']);
    expect(rewrite.attributes['llm.output_messages.0.content']).to.equal(undefined);
    expect(rewrite.attributes['llm.model']).to.equal('m');
    expect(rewrite.status).to.equal(undefined);
  });

  it('drop their fold when the record is released', () => {
    const record = streamRecord(1 << 20);
    record.addResponseChunk(Buffer.from(chunkEvent('a')));
    record.release();
    expect(record.liveResponse).to.equal(undefined);
  });
});
