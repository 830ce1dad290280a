/**
 * `npm run demo`: traces three calls to vLLM through the real `openai` SDK and prints the
 * LLM spans. Without configuration it starts an embedded vLLM-compatible server (no GPU);
 * with `VLLM_BASE_URL=http://host:8000/v1` (and `VLLM_MODEL`) it traces a real vLLM server.
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { VLLMSpanProcessor } from '../src';
import { VllmTestServer } from '../test/support/vllm-server';
import { nestedError } from '../test/support/vllm-wire';
import { ReadableSpanExporter } from './readable-span-exporter';

const MISSING_MODEL = 'no-such-model';

async function main(): Promise<void> {
  const embedded = process.env.VLLM_BASE_URL ? undefined : await VllmTestServer.start();
  const baseURL = process.env.VLLM_BASE_URL ?? embedded!.baseUrl;
  const model = process.env.VLLM_MODEL ?? 'meta-llama/Llama-3.1-8B-Instruct';
  console.log(embedded ? `Embedded vLLM-compatible server at ${baseURL}\n` : `Tracing the vLLM server at ${baseURL}\n`);

  // The wiring a user writes: the processor next to the exporting processor, undici auto-instrumented.
  const provider = new NodeTracerProvider({
    spanProcessors: [new VLLMSpanProcessor({ baseUrlPattern: new URL(baseURL).host }), new SimpleSpanProcessor(new ReadableSpanExporter())],
  });
  provider.register();
  registerInstrumentations({ instrumentations: [new UndiciInstrumentation()] });

  const client = new OpenAI({ baseURL, apiKey: process.env.VLLM_API_KEY ?? 'not-needed', maxRetries: 0 });

  console.log('1) chat completion');
  const answer = await client.chat.completions.create({
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello in five words.' },
    ],
    max_tokens: 32,
  });
  console.log(`   app received: ${JSON.stringify(answer.choices[0].message.content)}\n`);

  console.log('2) streamed chat with a tool');
  const stream = client.chat.completions.stream({
    model,
    messages: [{ role: 'user', content: 'Use get_weather to look up the weather in Paris.' }],
    tools: [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      },
    ],
    stream_options: { include_usage: true },
  });
  const final = await stream.finalChatCompletion();
  console.log(`   app received tool calls: ${JSON.stringify(final.choices[0].message.tool_calls?.map(call => call.type === 'function' ? call.function : call))}\n`);

  console.log('3) a failing call (unknown model)');
  // The embedded server knows every model, so it is told to answer as vLLM does for a missing one.
  embedded?.respondWith({ status: 404, json: nestedError(`The model \`${MISSING_MODEL}\` does not exist.`, 'NotFoundError', 404) });
  await client.chat.completions
    .create({ model: MISSING_MODEL, messages: [{ role: 'user', content: 'Hello?' }] })
    .catch((error: Error) => console.log(`   app received: ${error.constructor.name}: ${error.message}\n`));

  await provider.shutdown();
  await embedded?.close();
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
