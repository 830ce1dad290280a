/**
 * The clients a matrix cell can exercise, each behind the same small interface. Every client is
 * loaded from the cell's own node_modules (through the loader the cell's module format gives) and
 * talks to the local vLLM test server; none is mocked.
 */
import type { ChatOutcome, ChatRequest } from './scenarios';

/**
 * Client names as the cells list them in `package.json` → `matrix.clients`. `openai` v4 and
 * `langchain` on `@langchain/openai` 0.3 (which calls openai v4) send through node:http, like
 * `axios`, `node-fetch` (v2) and `got`; the others through undici.
 */
export type ClientName = 'openai' | 'ai' | 'langchain' | 'fetch' | 'undici' | 'axios' | 'node-fetch' | 'got';

/** What a client's requests go through, so which instrumentation makes their span. */
export type Transport = 'undici' | 'node:http';

/** The instrumentation that makes the spans of node:http clients; a cell that installs it wires it. */
export const HTTP_INSTRUMENTATION = '@opentelemetry/instrumentation-http';

/** Loads a package from the cell: `require` in CommonJS cells, `import()` in ESM cells. */
export type Load = (specifier: string) => Promise<unknown>;

/** One client, ready to send the scenarios' requests. */
export interface ChatClient {
  name: ClientName;
  /** The client package's version as installed in the cell (for fetch: the bundled undici). */
  version: string;
  transport: Transport;
  /** The undici whose requests this client sends: Node's bundled one or the npm package; `none` for node:http. */
  undiciVersion: string;
  chat(request: ChatRequest): Promise<ChatOutcome>;
}

/** What a client needs from the cell. */
export interface ClientContext {
  load: Load;
  baseUrl: string;
  /** Version of a package installed at the top of the cell's node_modules. */
  versionOf(packageName: string): string;
  /** Version of a package at a path under the cell's node_modules (e.g. a nested copy), or undefined when absent. */
  versionAt(packagePath: string): string | undefined;
}

const API_KEY = 'matrix-key';

/** Creates the named client from the cell's packages. */
export async function createClient(name: ClientName, context: ClientContext): Promise<ChatClient> {
  const undici = (version: string) => ({ name, transport: 'undici' as const, undiciVersion: version });
  const nodeHttp = { name, transport: 'node:http' as const, undiciVersion: 'none' };
  const bundled = undici(process.versions.undici ?? 'unknown');
  switch (name) {
    case 'openai': {
      const version = context.versionOf('openai');
      return { ...(sendsThroughNodeHttp(version) ? nodeHttp : bundled), version, chat: await openaiChat(context) };
    }
    case 'ai':
      return { ...bundled, version: context.versionOf('ai'), chat: await aiSdkChat(context) };
    case 'langchain': {
      const transport = sendsThroughNodeHttp(langchainOpenaiVersion(context)) ? nodeHttp : bundled;
      return { ...transport, version: context.versionOf('@langchain/openai'), chat: await langchainChat(context) };
    }
    case 'fetch':
      return { ...bundled, version: bundled.undiciVersion, chat: fetchChat(globalThis.fetch, context.baseUrl) };
    case 'undici': {
      const undiciModule = (await context.load('undici')) as { fetch: typeof fetch; Agent: new () => unknown };
      const version = context.versionOf('undici');
      // Every undici copy shares one global dispatcher (Symbol.for('undici.globalDispatcher.1')): without
      // its own Agent this fetch would send through whichever undici registered first, often Node's.
      const dispatcher = new undiciModule.Agent();
      const fetchWithOwnAgent = ((input: string, init: RequestInit) => undiciModule.fetch(input, { ...init, dispatcher } as RequestInit)) as typeof fetch;
      return { ...undici(version), version, chat: fetchChat(fetchWithOwnAgent, context.baseUrl) };
    }
    case 'node-fetch': {
      const nodeFetch = defaultExport<typeof fetch>(await context.load('node-fetch'));
      return { ...nodeHttp, version: context.versionOf('node-fetch'), chat: fetchChat(nodeFetch, context.baseUrl) };
    }
    case 'axios':
      return { ...nodeHttp, version: context.versionOf('axios'), chat: axiosChat(defaultExport<Axios>(await context.load('axios')), context.baseUrl) };
    case 'got':
      return { ...nodeHttp, version: context.versionOf('got'), chat: gotChat(defaultExport<Got>(await context.load('got')), context.baseUrl) };
  }
}

/** openai v4 sends through node-fetch 2, so node:http; v5 on use the global fetch. */
function sendsThroughNodeHttp(openaiVersion: string): boolean {
  return Number(openaiVersion.split('.')[0]) <= 4;
}

/** The openai that `@langchain/openai` calls: its own nested copy, else the cell's. */
function langchainOpenaiVersion(context: ClientContext): string {
  return context.versionAt('@langchain/openai/node_modules/openai') ?? context.versionOf('openai');
}

/**
 * A CommonJS package's main export: `require` gives it as is, `import()` as the namespace's
 * `default` (axios, got 11 and node-fetch 2 also set `.default` on it; got 14 is ESM with a default export).
 */
function defaultExport<T>(module: unknown): T {
  const withDefault = module as { default?: T };
  return withDefault.default ?? (module as T);
}

type Chat = (request: ChatRequest) => Promise<ChatOutcome>;

/** The OpenAI wire body of a request, as plain fetch and the openai SDK send it. */
function wireBody(request: ChatRequest): Record<string, unknown> {
  return {
    model: request.model,
    messages: request.messages,
    temperature: request.temperature,
    ...(request.tools ? { tools: request.tools.map(tool => ({ type: 'function', function: tool })) } : {}),
    ...(request.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

interface WireToolCall {
  index?: number;
  function?: { name?: string; arguments?: string };
}

interface WireChoice {
  message?: { content?: string | null; tool_calls?: WireToolCall[] | null };
  delta?: { content?: string | null; tool_calls?: WireToolCall[] | null };
}

/** Joins a response body or stream chunks into what the application got. */
function outcomeOf(bodies: Array<{ choices?: WireChoice[] }>): ChatOutcome {
  let text = '';
  const calls: Array<{ name: string; arguments: string }> = [];
  for (const body of bodies) {
    for (const choice of body.choices ?? []) {
      const part = choice.message ?? choice.delta ?? {};
      text += part.content ?? '';
      (part.tool_calls ?? []).forEach((call, position) => {
        const index = call.index ?? position;
        calls[index] ??= { name: '', arguments: '' };
        calls[index].name += call.function?.name ?? '';
        calls[index].arguments += call.function?.arguments ?? '';
      });
    }
  }
  return { text, toolCalls: calls.map(call => ({ name: call.name, arguments: JSON.parse(call.arguments) as unknown })) };
}

function sseData(text: string): Array<{ choices?: WireChoice[] }> {
  return text
    .split('\n')
    .filter(line => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map(line => JSON.parse(line.slice('data: '.length)) as { choices?: WireChoice[] });
}

function fetchChat(fetchFunction: typeof fetch, baseUrl: string): Chat {
  return async request => {
    const response = await fetchFunction(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify(wireBody(request)),
    });
    const text = await response.text();
    if (!response.ok) return { text: '', toolCalls: [], errorStatus: response.status };
    return outcomeOf(request.stream ? sseData(text) : [JSON.parse(text) as { choices?: WireChoice[] }]);
  };
}

interface OpenAIModule {
  OpenAI: new (options: { baseURL: string; apiKey: string; maxRetries: number }) => {
    chat: { completions: { create(body: Record<string, unknown>): Promise<unknown> } };
  };
}

async function openaiChat(context: ClientContext): Promise<Chat> {
  const { OpenAI } = (await context.load('openai')) as OpenAIModule;
  const client = new OpenAI({ baseURL: context.baseUrl, apiKey: API_KEY, maxRetries: 0 });
  return async request => {
    try {
      const result = await client.chat.completions.create(wireBody(request));
      if (!request.stream) return outcomeOf([result as { choices?: WireChoice[] }]);
      const chunks: Array<{ choices?: WireChoice[] }> = [];
      for await (const chunk of result as AsyncIterable<{ choices?: WireChoice[] }>) chunks.push(chunk);
      return outcomeOf(chunks);
    } catch (error) {
      return failed(error);
    }
  };
}

interface AiToolCall {
  toolName: string;
  input?: unknown;
  args?: unknown;
}

interface AiModule {
  generateText(options: Record<string, unknown>): Promise<{ text: string; toolCalls: AiToolCall[] }>;
  streamText(options: Record<string, unknown>): { fullStream: AsyncIterable<{ type: string; text?: string; textDelta?: string; error?: unknown } & Partial<AiToolCall>> };
  tool(definition: Record<string, unknown>): unknown;
  jsonSchema(schema: unknown): unknown;
}

interface OpenAICompatibleModule {
  createOpenAICompatible(options: { name: string; baseURL: string; apiKey: string; includeUsage: boolean }): (model: string) => unknown;
}

async function aiSdkChat(context: ClientContext): Promise<Chat> {
  const ai = (await context.load('ai')) as AiModule;
  const { createOpenAICompatible } = (await context.load('@ai-sdk/openai-compatible')) as OpenAICompatibleModule;
  const provider = createOpenAICompatible({ name: 'vllm', baseURL: context.baseUrl, apiKey: API_KEY, includeUsage: true });
  return async request => {
    const system = request.messages.find(message => message.role === 'system')?.content;
    const options = {
      model: provider(request.model),
      ...(system === undefined ? {} : { system }),
      messages: request.messages.filter(message => message.role !== 'system'),
      temperature: request.temperature,
      maxRetries: 0,
      ...(request.tools
        ? { tools: Object.fromEntries(request.tools.map(t => [t.name, ai.tool({ description: t.description, inputSchema: ai.jsonSchema(t.parameters) })])) }
        : {}),
    };
    try {
      if (!request.stream) {
        const result = await ai.generateText(options);
        return { text: result.text, toolCalls: result.toolCalls.map(call => ({ name: call.toolName, arguments: call.input ?? call.args })) };
      }
      const outcome: ChatOutcome = { text: '', toolCalls: [] };
      for await (const part of ai.streamText(options).fullStream) {
        if (part.type === 'text-delta') outcome.text += part.text ?? part.textDelta ?? '';
        else if (part.type === 'tool-call') outcome.toolCalls.push({ name: part.toolName ?? '', arguments: part.input ?? part.args });
        else if (part.type === 'error') throw part.error;
      }
      return outcome;
    } catch (error) {
      return failed(error);
    }
  };
}

interface LangchainMessage {
  content: unknown;
  tool_calls?: Array<{ name: string; args: unknown }>;
  concat(other: LangchainMessage): LangchainMessage;
}

interface LangchainRunnable {
  invoke(messages: Array<[string, string]>): Promise<LangchainMessage>;
  stream(messages: Array<[string, string]>): Promise<AsyncIterable<LangchainMessage>>;
}

interface LangchainModule {
  ChatOpenAI: new (options: Record<string, unknown>) => LangchainRunnable & { bindTools(tools: unknown[]): LangchainRunnable };
}

async function langchainChat(context: ClientContext): Promise<Chat> {
  const { ChatOpenAI } = (await context.load('@langchain/openai')) as LangchainModule;
  return async request => {
    const model = new ChatOpenAI({
      model: request.model,
      temperature: request.temperature,
      apiKey: API_KEY,
      maxRetries: 0,
      configuration: { baseURL: context.baseUrl },
    });
    const messages = request.messages.map((message): [string, string] => [message.role === 'user' ? 'human' : 'system', message.content]);
    try {
      let reply: LangchainMessage | undefined;
      if (!request.stream) reply = await model.invoke(messages);
      else {
        const runnable = request.tools ? model.bindTools(request.tools.map(tool => ({ type: 'function', function: tool }))) : model;
        for await (const chunk of await runnable.stream(messages)) reply = reply === undefined ? chunk : reply.concat(chunk);
      }
      return {
        text: typeof reply?.content === 'string' ? reply.content : JSON.stringify(reply?.content),
        toolCalls: (reply?.tool_calls ?? []).map(call => ({ name: call.name, arguments: call.args })),
      };
    } catch (error) {
      return failed(error);
    }
  };
}

interface AxiosResponse {
  data: unknown;
}

/** The parts of axios the scenarios use. */
interface Axios {
  post(url: string, body: unknown, config: { headers: Record<string, string>; responseType?: 'stream' }): Promise<AxiosResponse>;
}

function axiosChat(axios: Axios, baseUrl: string): Chat {
  return async request => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
    try {
      // A stream is read as it arrives, as an app that shows tokens does; axios throws on a 404.
      const response = await axios.post(`${baseUrl}/chat/completions`, wireBody(request), { headers, ...(request.stream ? { responseType: 'stream' } : {}) });
      if (!request.stream) return outcomeOf([response.data as { choices?: WireChoice[] }]);
      return outcomeOf(sseData(await readText(response.data as AsyncIterable<Buffer | string>)));
    } catch (error) {
      return failed(error);
    }
  };
}

interface GotOptions {
  json: unknown;
  headers: Record<string, string>;
  retry: { limit: number };
}

/** The parts of got (11 and 14) the scenarios use. */
interface Got {
  post(url: string, options: GotOptions): { json(): Promise<unknown> };
  stream: { post(url: string, options: GotOptions): AsyncIterable<Buffer> };
}

function gotChat(got: Got, baseUrl: string): Chat {
  return async request => {
    const options: GotOptions = { json: wireBody(request), headers: { authorization: `Bearer ${API_KEY}` }, retry: { limit: 0 } };
    try {
      if (!request.stream) return outcomeOf([(await got.post(`${baseUrl}/chat/completions`, options).json()) as { choices?: WireChoice[] }]);
      return outcomeOf(sseData(await readText(got.stream.post(`${baseUrl}/chat/completions`, options))));
    } catch (error) {
      return failed(error);
    }
  };
}

/** Reads a body stream chunk by chunk, as it arrives. */
async function readText(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** The outcome of a client call that threw: its HTTP status, or the error itself when it has none. */
function failed(error: unknown): ChatOutcome {
  const fields = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown; statusCode?: unknown } };
  // got's HTTPError has the status only on its response, as statusCode.
  const status = fields?.status ?? fields?.statusCode ?? fields?.response?.status ?? fields?.response?.statusCode;
  if (typeof status === 'number') return { text: '', toolCalls: [], errorStatus: status };
  throw error;
}
