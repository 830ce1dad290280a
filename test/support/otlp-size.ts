import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type OpenAI from 'openai';

/** Bytes of the OTLP/protobuf export request that carries `spans` (what an OTLP http/protobuf exporter sends). */
export function otlpProtobufBytes(spans: ReadableSpan[]): number {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('serialization failed');
  return bytes.length;
}

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

export const SIZE_TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather in a city, in degrees Celsius, with wind and humidity',
      parameters: { type: 'object', properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'search_flights',
      description: 'Search direct flights between two airports on a date',
      parameters: {
        type: 'object',
        properties: { from: { type: 'string' }, to: { type: 'string' }, date: { type: 'string', format: 'date' } },
        required: ['from', 'to', 'date'],
      },
    },
  },
];

/** A 20-message chat with tools: a system prompt, then user / assistant-with-tool-call / tool / assistant turns. */
export function twentyMessageChat(): Message[] {
  const messages: Message[] = [{ role: 'system', content: 'You are a travel assistant. Answer briefly, call tools when facts are needed, and never invent prices.' }];
  const cities = ['Paris', 'Lisbon', 'Oslo', 'Rome', 'Vienna'];
  for (let turn = 0; messages.length < 19; turn++) {
    const city = cities[turn % cities.length];
    messages.push({ role: 'user', content: `What is the weather in ${city} this weekend, and is it a good time to fly there from Berlin?` });
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: `call_${turn}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city, unit: 'c' }) } }],
    });
    messages.push({ role: 'tool', tool_call_id: `call_${turn}`, content: JSON.stringify({ city, temperature: 18 + turn, wind_kmh: 12, humidity: 0.61, sky: 'partly cloudy' }) });
    messages.push({ role: 'assistant', content: `${city} will be around ${18 + turn} °C with a light wind: a fine weekend to fly from Berlin.` });
  }
  messages.push({ role: 'user', content: 'Thanks. Which of those cities would you pick for a short trip?' });
  return messages.slice(0, 20);
}

/** A conversation of about `bytes` characters of message text: alternating user and assistant turns of 2,000 characters. */
export function longConversation(bytes = 60_000): Message[] {
  const messages: Message[] = [{ role: 'system', content: 'You summarise long documents.' }];
  const paragraph = 'The quarterly report describes revenue, costs, hiring and the outlook for each region in detail. ';
  let total = 0;
  for (let i = 0; total < bytes; i++) {
    const content = `Part ${i}: ${paragraph.repeat(21)}`.slice(0, 2000);
    messages.push({ role: i % 2 === 0 ? 'user' : 'assistant', content });
    total += content.length;
  }
  if (messages[messages.length - 1].role !== 'user') messages.push({ role: 'user', content: 'Summarise all of the above in three sentences.' });
  return messages;
}
