import { expect } from 'chai';
import fc from 'fast-check';
import { ChatStreamAggregator } from '../../src/aggregate/chat-stream';
import { chatRequest, equivalentResponse, finalUsage, streamBody, streamChunks, streamTruth } from './chat-stream-arbitrary';
import { comparable, expectValidAttributes, interpret, runs, validator } from './fuzz-support';

function exchangeOf(request: unknown, response: string, contentType: string) {
  return {
    endpoint: 'chat' as const,
    requestBody: Buffer.from(JSON.stringify(request)),
    requestTruncated: false,
    statusCode: 200,
    contentType,
    responseBody: Buffer.from(response),
    responseTruncated: false,
  };
}

describe('chat stream aggregation (property)', () => {
  it('folds interleaved content, reasoning and parallel tool-call fragments into the reference answer', () => {
    fc.assert(
      fc.property(streamTruth, truth => {
        const aggregator = new ChatStreamAggregator();
        for (const chunk of streamChunks(truth)) {
          if (!validator.is('chat-completion-chunk', chunk)) throw new Error(`generated chunk fails its schema: ${validator.lastErrorText()}`);
          aggregator.add(chunk);
        }
        const result = aggregator.result()!;
        const reference = equivalentResponse(truth);
        expect(result.id).to.equal(reference.id);
        expect(result.model).to.equal(reference.model);
        expect(result.usage ?? null).to.deep.equal(finalUsage(truth));
        expect(result.choices.map(choice => choice.index)).to.deep.equal(reference.choices.map(choice => choice.index));
        result.choices.forEach((choice, i) => {
          const expected = reference.choices[i];
          expect(choice.message.content).to.equal(expected.message.content);
          expect(choice.message.reasoning ?? choice.message.reasoning_content ?? null).to.equal(expected.message[truth.reasoningKey]);
          expect(choice.message.tool_calls).to.deep.equal(expected.message.tool_calls);
          expect(choice.finish_reason).to.equal(expected.finish_reason);
          expect(choice.stop_reason).to.equal(expected.stop_reason);
        });
      }),
      runs(250),
    );
  });

  it('maps a stream to the same attributes as the non-stream body that says the same', () => {
    fc.assert(
      fc.property(streamTruth, truth => {
        const request = chatRequest('same answer');
        const reference = equivalentResponse(truth);
        expect(validator.is('chat-completion-response', reference), validator.lastErrorText()).to.equal(true);
        const streamed = interpret(exchangeOf(request, streamBody(truth), 'text/event-stream; charset=utf-8'));
        const whole = interpret(exchangeOf(request, JSON.stringify(reference), 'application/json'));
        const withoutOutputValue = (rewrite: typeof streamed.rewrite) => {
          const { 'output.value': _value, ...attributes } = (comparable(rewrite) as { attributes: Record<string, unknown> }).attributes;
          return attributes;
        };
        expect(withoutOutputValue(streamed.rewrite)).to.deep.equal(withoutOutputValue(whole.rewrite));
        expect(streamed.problems).to.deep.equal([]);
        expectValidAttributes(streamed.rewrite.attributes);
      }),
      runs(200),
    );
  });
});
