/**
 * Random well-formed chat streams for the property tests. Each one starts from its truth
 * (the final messages, tool calls and usage), cuts every text into fragments and
 * interleaves the fragments of all choices and of parallel tool calls at random, keeping
 * only each fragment sequence's own order. The truth is the reference aggregation.
 */
import fc from 'fast-check';

/** What one choice finally says. */
export interface ChoiceTruth {
  content: string[];
  reasoning: string[];
  toolCalls: Array<{ id: string; name: string; argumentFragments: string[] }>;
  finishReason: string;
  stopReason: number | string | null;
}

/** A whole stream: its truth and how it is put on the wire. */
export interface StreamTruth {
  id: string;
  model: string;
  created: number;
  choices: ChoiceTruth[];
  promptTokens: number;
  /** A final `choices: []` usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** Cumulative usage on every chunk (`continuous_usage_stats`). */
  continuousUsage: boolean;
  reasoningKey: 'reasoning' | 'reasoning_content';
  /** Random lane picks: the interleaving of fragments. */
  picks: number[];
  /** Put consecutive tool-call fragments of one choice into one delta. */
  batchToolDeltas: boolean;
  done: boolean;
}

const fragment = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 3 }), fc.constantFrom('', ' ', '\n', '"', '\\', 'data: x\n\n', '\u2028'));

const toolCall = fc.record({
  id: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 12 }).map(hex => `chatcmpl-tool-${hex}`),
  name: fc.constantFrom('get_weather', 'get_time', 'search', 'ñame'),
  argumentFragments: fc.array(fragment, { maxLength: 6 }),
});

const choiceTruth: fc.Arbitrary<ChoiceTruth> = fc.record({
  content: fc.array(fragment, { maxLength: 8 }),
  reasoning: fc.oneof(fc.constant<string[]>([]), fc.array(fragment, { maxLength: 5 })),
  toolCalls: fc.oneof(fc.constant<ChoiceTruth['toolCalls']>([]), fc.array(toolCall, { maxLength: 3 })),
  finishReason: fc.constantFrom('stop', 'length', 'tool_calls', 'abort'),
  stopReason: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 200_000 }), fc.constantFrom('</s>', 'END')),
});

/** A random well-formed chat stream. */
export const streamTruth: fc.Arbitrary<StreamTruth> = fc.record({
  id: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 32 }).map(hex => `chatcmpl-${hex}`),
  model: fc.constantFrom('m', 'Qwen/Qwen3-8B', 'meta-llama/Llama-3.1-8B-Instruct'),
  created: fc.integer({ min: 0, max: 2_000_000_000 }),
  choices: fc.array(choiceTruth, { minLength: 1, maxLength: 3 }),
  promptTokens: fc.nat({ max: 100_000 }),
  includeUsage: fc.boolean(),
  continuousUsage: fc.boolean(),
  reasoningKey: fc.constantFrom('reasoning' as const, 'reasoning_content' as const),
  picks: fc.array(fc.nat(), { maxLength: 80 }),
  batchToolDeltas: fc.boolean(),
  done: fc.boolean(),
});

type Delta = Record<string, unknown>;
type Chunk = Record<string, unknown>;

/** The fragment sequences of one choice, each to be sent in its own order. */
function lanesOf(choice: ChoiceTruth, reasoningKey: string): Delta[][] {
  const lanes: Delta[][] = [choice.reasoning.map(text => ({ [reasoningKey]: text })), choice.content.map(text => ({ content: text }))];
  choice.toolCalls.forEach((call, index) => {
    lanes.push([
      { tool_calls: [{ id: call.id, type: 'function', index, function: { name: call.name } }] },
      ...call.argumentFragments.map(text => ({ tool_calls: [{ index, function: { arguments: text } }] })),
    ]);
  });
  return lanes.filter(lane => lane.length > 0);
}

/** The chunks of the stream, in wire order (without `[DONE]`). */
export function streamChunks(truth: StreamTruth): Chunk[] {
  const envelope = { id: truth.id, object: 'chat.completion.chunk', created: truth.created, model: truth.model };
  const work: Array<{ index: number; delta: Delta; finish?: ChoiceTruth }> = [];
  const lanes = truth.choices.map((choice, index) => ({ index, choice, lanes: lanesOf(choice, truth.reasoningKey) }));
  // Every choice opens with the role chunk, as vLLM sends it.
  for (const { index } of lanes) work.push({ index, delta: { role: 'assistant', content: '' } });
  let pick = 0;
  let open = lanes.filter(choice => choice.lanes.length > 0);
  for (const choice of lanes) if (choice.lanes.length === 0) work.push({ index: choice.index, delta: {}, finish: choice.choice });
  while (open.length > 0) {
    const choice = open[(truth.picks[pick] ?? pick) % open.length];
    const laneIndex = (truth.picks[pick + 1] ?? 0) % choice.lanes.length;
    pick += 2;
    const lane = choice.lanes[laneIndex];
    work.push({ index: choice.index, delta: lane.shift()! });
    if (lane.length === 0) choice.lanes.splice(laneIndex, 1);
    if (choice.lanes.length === 0) {
      work.push({ index: choice.index, delta: {}, finish: choice.choice });
      open = open.filter(other => other !== choice);
    }
  }
  const merged = truth.batchToolDeltas ? batchToolDeltas(work) : work;
  let completionTokens = 0;
  const chunks: Chunk[] = merged.map(({ index, delta, finish }) => {
    completionTokens++;
    const choice: Record<string, unknown> = { index, delta, logprobs: null, finish_reason: finish?.finishReason ?? null };
    if (finish !== undefined) choice.stop_reason = finish.stopReason;
    const chunk: Chunk = { ...envelope, choices: [choice] };
    if (truth.continuousUsage) chunk.usage = usage(truth.promptTokens, completionTokens);
    return chunk;
  });
  if (truth.includeUsage) chunks.push({ ...envelope, choices: [], usage: usage(truth.promptTokens, completionTokens + 1) });
  return chunks;
}

/** Joins runs of tool-call deltas of the same choice into one delta with several entries. */
function batchToolDeltas(work: Array<{ index: number; delta: Delta; finish?: ChoiceTruth }>) {
  const merged: typeof work = [];
  for (const item of work) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && previous.index === item.index && previous.delta.tool_calls && item.delta.tool_calls && item.finish === undefined) {
      previous.delta = { tool_calls: [...(previous.delta.tool_calls as unknown[]), ...(item.delta.tool_calls as unknown[])] };
    } else {
      merged.push({ ...item, delta: { ...item.delta } });
    }
  }
  return merged;
}

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: null };
}

/** The SSE body vLLM would send for the stream. */
export function streamBody(truth: StreamTruth): string {
  const events = streamChunks(truth).map(chunk => `data: ${JSON.stringify(chunk)}\n\n`);
  if (truth.done) events.push('data: [DONE]\n\n');
  return events.join('');
}

/** The usage the last chunk that carried one reported, if any. */
export function finalUsage(truth: StreamTruth): Record<string, unknown> | null {
  const chunks = streamChunks(truth).filter(chunk => chunk.usage != null);
  return chunks.length === 0 ? null : (chunks[chunks.length - 1].usage as Record<string, unknown>);
}

/** The non-stream `chat.completion` body that says the same thing: the reference aggregation. */
export function equivalentResponse(truth: StreamTruth) {
  return {
    id: truth.id,
    object: 'chat.completion',
    created: truth.created,
    model: truth.model,
    choices: truth.choices.map((choice, index) => ({
      index,
      message: {
        role: 'assistant',
        content: choice.content.join('') || null,
        [truth.reasoningKey]: choice.reasoning.join('') || null,
        tool_calls: choice.toolCalls.map(call => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.argumentFragments.join('') } })),
      },
      logprobs: null,
      finish_reason: choice.finishReason,
      stop_reason: choice.stopReason,
    })),
    usage: finalUsage(truth),
  };
}

/** A valid streaming chat request body. */
export function chatRequest(content: string, stream = true): Record<string, unknown> {
  return { model: 'm', messages: [{ role: 'user', content }], stream, max_tokens: 32 };
}
