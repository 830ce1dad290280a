/**
 * The scenario suite every matrix cell runs, with every client: what the vLLM test server answers,
 * what the client must get back, and which attributes the rewritten span must carry. The expected
 * values come from the scripted wire bodies, never from the code under test, and are the same
 * whichever client made the call.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as A from '../../src/attributes';
import type { ResponseScript } from '../support/vllm-server';
import { chatCompletion, chatStreamEvents, nestedError } from '../support/vllm-wire';

/** The model every scenario asks for (except the one that asks for a missing model). */
export const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** One chat message as every client can send it. */
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** A function tool, in the JSON Schema form every client accepts. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, { type: string }>; required: string[] };
}

/** What a scenario asks a client to do; each client turns it into its own API call. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  stream: boolean;
  tools?: ToolDefinition[];
}

/** What the application got back, reduced to what every client can report. */
export interface ChatOutcome {
  text: string;
  toolCalls: Array<{ name: string; arguments: unknown }>;
  /** HTTP status of a failed call (clients that throw report the status of their error). */
  errorStatus?: number;
}

/** Token usage as vLLM reports it. */
interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** The span as the exporter saw it, reduced to what the scenarios check. */
export interface ExportedSpan {
  name: string;
  attributes: Attributes;
  status: { code: number; message?: string };
  /** The instrumentation that made the span (SDK 2.x and 3.x). */
  instrumentationScope?: { name: string };
  /** The same on SDK 1.x. */
  instrumentationLibrary?: { name: string };
}

/** One scenario of the suite. */
export interface Scenario {
  id: string;
  request: ChatRequest;
  response: ResponseScript;
  /** Problems with what the application got back (empty: as scripted). */
  checkOutcome(outcome: ChatOutcome): string[];
  /** The rewritten span's name, attributes and status. */
  expected: { name: string; attributes: Attributes; status: { code: number; message?: string } };
}

const TEMPERATURE = 0.5;
const SPAN_STATUS_UNSET = 0;
const SPAN_STATUS_ERROR = 2;

const WEATHER_TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const BASE_ATTRIBUTES: Attributes = {
  [A.FI_SPAN_KIND]: A.SpanKindValues.LLM,
  [A.LLM_SYSTEM]: A.VLLM_PROVIDER,
  [A.LLM_PROVIDER]: A.VLLM_PROVIDER,
  [A.GEN_AI_PROVIDER_NAME]: A.VLLM_PROVIDER,
  [A.GEN_AI_OPERATION_NAME]: A.OperationValues.CHAT,
};

function tokenAttributes(prompt: number, completion: number): Attributes {
  return {
    [A.LLM_TOKEN_COUNT_PROMPT]: prompt,
    [A.GEN_AI_USAGE_INPUT_TOKENS]: prompt,
    [A.LLM_TOKEN_COUNT_COMPLETION]: completion,
    [A.GEN_AI_USAGE_OUTPUT_TOKENS]: completion,
    [A.LLM_TOKEN_COUNT_TOTAL]: prompt + completion,
  };
}

function messageAttributes(messages: ChatMessage[]): Attributes {
  const attributes: Attributes = {};
  messages.forEach((message, index) => {
    attributes[A.inputMessageKey(index, A.MESSAGE_ROLE)] = message.role;
    attributes[A.inputMessageKey(index, A.MESSAGE_CONTENT)] = message.content;
  });
  return attributes;
}

/** What every answered chat call carries, whichever client sent it and whether it streamed. */
function answeredChatAttributes(o: { messages: ChatMessage[]; id: string; finishReason: string; usage: WireUsage; content: string }): Attributes {
  return {
    ...BASE_ATTRIBUTES,
    [A.LLM_MODEL]: MODEL,
    [A.GEN_AI_REQUEST_MODEL]: MODEL,
    [A.GEN_AI_REQUEST_TEMPERATURE]: TEMPERATURE,
    ...messageAttributes(o.messages),
    [A.GEN_AI_RESPONSE_ID]: o.id,
    [A.GEN_AI_RESPONSE_MODEL]: MODEL,
    [A.GEN_AI_RESPONSE_FINISH_REASONS]: [o.finishReason],
    ...tokenAttributes(o.usage.prompt_tokens, o.usage.completion_tokens),
    [A.outputMessageKey(0, A.MESSAGE_ROLE)]: 'assistant',
    [A.outputMessageKey(0, A.MESSAGE_CONTENT)]: o.content,
    [A.INPUT_MIME_TYPE]: 'application/json',
  };
}

function expectEqual(what: string, actual: unknown, expected: unknown): string[] {
  return JSON.stringify(actual) === JSON.stringify(expected)
    ? []
    : [`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

function chatScenario(): Scenario {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Say hello.' },
  ];
  const content = 'Hello there.';
  const body = chatCompletion({ id: 'chatcmpl-matrix-chat', model: MODEL, content, usage: { promptTokens: 14, completionTokens: 3 } });
  return {
    id: 'chat',
    request: { model: MODEL, messages, temperature: TEMPERATURE, stream: false },
    response: { json: body },
    checkOutcome: outcome => [...expectEqual('text', outcome.text, content), ...expectEqual('error', outcome.errorStatus, undefined)],
    expected: {
      name: `${A.OperationValues.CHAT} ${MODEL}`,
      status: { code: SPAN_STATUS_UNSET },
      attributes: {
        ...answeredChatAttributes({ messages, id: body.id, finishReason: 'stop', usage: body.usage, content }),
        [A.OUTPUT_MIME_TYPE]: 'application/json',
      },
    },
  };
}

/** The usage of a scripted stream, read from its final usage chunk. */
function streamedUsage(events: string[]): WireUsage {
  for (const event of [...events].reverse()) {
    const data = event.replace(/^data: /, '').trim();
    if (data === '[DONE]') continue;
    const chunk = JSON.parse(data) as { usage?: WireUsage };
    if (chunk.usage) return chunk.usage;
  }
  throw new Error('scripted stream has no usage chunk');
}

function streamToolsScenario(): Scenario {
  const messages: ChatMessage[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const id = 'chatcmpl-matrix-tools';
  const toolCall = { id: 'chatcmpl-tool-matrix', name: WEATHER_TOOL.name, argumentFragments: ['{"city": ', '"Paris"}'] };
  const content = 'Checking.';
  const events = chatStreamEvents({ id, model: MODEL, content: [content], toolCalls: [toolCall], promptTokens: 52, includeUsage: true });
  const call = A.outputMessageKey(0, A.toolCallSuffix(0, ''));
  return {
    id: 'chat-stream-tools',
    request: { model: MODEL, messages, temperature: TEMPERATURE, stream: true, tools: [WEATHER_TOOL] },
    response: { events },
    checkOutcome: outcome => [
      ...expectEqual('text', outcome.text, content),
      ...expectEqual('tool calls', outcome.toolCalls, [{ name: WEATHER_TOOL.name, arguments: { city: 'Paris' } }]),
    ],
    expected: {
      name: `${A.OperationValues.CHAT} ${MODEL}`,
      status: { code: SPAN_STATUS_UNSET },
      attributes: {
        ...answeredChatAttributes({ messages, id, finishReason: 'tool_calls', usage: streamedUsage(events), content }),
        [`${call}${A.TOOL_CALL_ID}`]: toolCall.id,
        [`${call}${A.TOOL_CALL_FUNCTION_NAME}`]: toolCall.name,
        [`${call}${A.TOOL_CALL_FUNCTION_ARGUMENTS}`]: toolCall.argumentFragments.join(''),
      },
    },
  };
}

function errorScenario(): Scenario {
  const model = 'missing-model';
  const message = `The model \`${model}\` does not exist.`;
  const messages: ChatMessage[] = [{ role: 'user', content: 'Say hello.' }];
  return {
    id: 'error',
    request: { model, messages, temperature: TEMPERATURE, stream: false },
    response: { status: 404, json: nestedError(message, 'NotFoundError', 404) },
    checkOutcome: outcome => expectEqual('error status', outcome.errorStatus, 404),
    expected: {
      name: `${A.OperationValues.CHAT} ${model}`,
      status: { code: SPAN_STATUS_ERROR, message },
      attributes: {
        ...BASE_ATTRIBUTES,
        [A.LLM_MODEL]: model,
        [A.GEN_AI_REQUEST_MODEL]: model,
        ...messageAttributes(messages),
        [A.ERROR_TYPE]: 'NotFoundError',
      },
    },
  };
}

/** The suite, in the order each client runs it. */
export const SCENARIOS: readonly Scenario[] = [chatScenario(), streamToolsScenario(), errorScenario()];

/** Differences between a span the processor rewrote and the scenario's expectation (empty: as expected). */
export function checkRewrittenSpan(scenario: Scenario, span: ExportedSpan): string[] {
  const problems = [
    ...expectEqual('span name', span.name, scenario.expected.name),
    ...expectEqual('status code', span.status.code, scenario.expected.status.code),
  ];
  if (scenario.expected.status.message !== undefined) {
    problems.push(...expectEqual('status message', span.status.message, scenario.expected.status.message));
  }
  for (const [key, value] of Object.entries(scenario.expected.attributes)) {
    problems.push(...expectEqual(key, span.attributes[key], value as AttributeValue));
  }
  if (scenario.request.tools !== undefined) {
    const tools = span.attributes[A.LLM_TOOLS];
    if (typeof tools !== 'string' || !tools.includes(`"${scenario.request.tools[0].name}"`)) {
      problems.push(`${A.LLM_TOOLS}: expected the tool definitions, got ${JSON.stringify(tools)}`);
    }
    if (typeof span.attributes[A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] !== 'number') {
      problems.push(`${A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK}: expected a number for a stream`);
    }
  }
  return problems;
}

/** The name of the instrumentation that made the span, on any SDK line. */
export function instrumentationScopeOf(span: ExportedSpan): string | undefined {
  return (span.instrumentationScope ?? span.instrumentationLibrary)?.name;
}

/** Which path must have delivered the body bytes of a request sent by this undici version. */
export function expectedCapturePath(undiciVersion: string): 'channel' | 'wrap' {
  const [major, minor] = undiciVersion.split('.').map(Number);
  // undici publishes undici:request:bodyChunkSent/Received from 7.11 (nodejs/undici#4289).
  return major > 7 || (major === 7 && minor >= 11) ? 'channel' : 'wrap';
}
