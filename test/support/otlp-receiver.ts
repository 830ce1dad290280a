/**
 * An OTLP/HTTP traces receiver on 127.0.0.1 for tests: decodes each export request (binary
 * protobuf or JSON, gzip or not) into flat spans, and keeps the request's path and headers.
 * The protobuf decoder reads exactly the fields the tests check, by their numbers in
 * opentelemetry-proto's trace.proto / common.proto, and skips the rest.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/** An attribute value as decoded: string, number, boolean, or an array of them. */
export type DecodedValue = string | number | boolean | DecodedValue[] | undefined;

/** One span of an export request, with its resource and scope. */
export interface ReceivedSpan {
  name: string;
  /** OTLP's SpanKind: 3 is CLIENT. */
  kind: number;
  spanId: string;
  parentSpanId: string;
  scope: string;
  attributes: Record<string, DecodedValue>;
  resource: Record<string, DecodedValue>;
}

/** One export request as received. */
export interface ReceivedExport {
  path: string;
  contentType: string;
  headers: http.IncomingHttpHeaders;
  spans: ReceivedSpan[];
}

/** Receives OTLP exports until closed; answers each with an empty success. */
export class OtlpReceiver {
  readonly exports: ReceivedExport[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = http.createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request, response) => receiver.receive(request, response));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every span received so far. */
  spans(): ReceivedSpan[] {
    return this.exports.flatMap(received => received.spans);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const contentType = request.headers['content-type'] ?? '';
      const json = contentType.startsWith('application/json');
      const spans = json ? spansFromJson(JSON.parse(body.toString('utf8'))) : spansFromProtobuf(body);
      this.exports.push({ path: request.url ?? '', contentType, headers: request.headers, spans });
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : undefined);
    });
  }
}

// ---- OTLP JSON (proto3 JSON mapping: camelCase fields, hex ids, int64 as strings) ----

interface JsonKeyValue { key: string; value?: JsonAnyValue }
interface JsonAnyValue { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number; arrayValue?: { values?: JsonAnyValue[] } }

function spansFromJson(request: { resourceSpans?: Array<{ resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: Array<{ scope?: { name?: string }; spans?: Array<Record<string, unknown>> }> }> }): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap(resourceSpans => {
    const resource = jsonAttributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap(scopeSpans =>
      (scopeSpans.spans ?? []).map(span => ({
        name: span.name as string,
        kind: span.kind as number,
        spanId: span.spanId as string,
        parentSpanId: (span.parentSpanId as string | undefined) ?? '',
        scope: scopeSpans.scope?.name ?? '',
        attributes: jsonAttributes(span.attributes as JsonKeyValue[] | undefined),
        resource,
      })),
    );
  });
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, DecodedValue> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, jsonValue(value)]));
}

function jsonValue(value: JsonAnyValue | undefined): DecodedValue {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(jsonValue);
  return undefined;
}

// ---- OTLP binary protobuf ----

/** Fields of one message: field number → raw values in order (varints as numbers, length-delimited as bytes). */
type Fields = Map<number, Array<number | Buffer>>;

function spansFromProtobuf(body: Buffer): ReceivedSpan[] {
  // ExportTraceServiceRequest.resource_spans = 1
  return messages(readFields(body), 1).flatMap(resourceSpans => {
    // ResourceSpans.resource = 1 (Resource.attributes = 1), scope_spans = 2
    const resource = protobufAttributes(messages(resourceSpans, 1)[0], 1);
    return messages(resourceSpans, 2).flatMap(scopeSpans => {
      // ScopeSpans.scope = 1 (InstrumentationScope.name = 1), spans = 2
      const scope = text(messages(scopeSpans, 1)[0], 1);
      // Span: span_id = 2, parent_span_id = 4, name = 5, kind = 6, attributes = 9
      return messages(scopeSpans, 2).map(span => ({
        name: text(span, 5),
        kind: (span.get(6)?.[0] as number | undefined) ?? 0,
        spanId: hex(span, 2),
        parentSpanId: hex(span, 4),
        scope,
        attributes: protobufAttributes(span, 9),
        resource,
      }));
    });
  });
}

/** Attributes in field `field` of `message`: KeyValue.key = 1, KeyValue.value = 2. */
function protobufAttributes(message: Fields | undefined, field: number): Record<string, DecodedValue> {
  return Object.fromEntries(messages(message, field).map(keyValue => [text(keyValue, 1), protobufValue(messages(keyValue, 2)[0])]));
}

/** AnyValue: string = 1, bool = 2, int = 3, double = 4 (fixed64), array = 5 (ArrayValue.values = 1). */
function protobufValue(value: Fields | undefined): DecodedValue {
  if (value === undefined) return undefined;
  if (value.has(1)) return text(value, 1);
  if (value.has(2)) return value.get(2)?.[0] === 1;
  if (value.has(3)) return value.get(3)?.[0] as number;
  if (value.has(4)) return (value.get(4)?.[0] as Buffer).readDoubleLE(0);
  if (value.has(5)) return messages(messages(value, 5)[0], 1).map(protobufValue);
  return undefined;
}

function messages(message: Fields | undefined, field: number): Fields[] {
  return ((message?.get(field) ?? []) as Buffer[]).map(readFields);
}

function text(message: Fields | undefined, field: number): string {
  return ((message?.get(field)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8');
}

function hex(message: Fields, field: number): string {
  return ((message.get(field)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)).toString('hex');
}

/** Splits one message into its fields (wire types 0, 1, 2, 5; fixed-size values kept as bytes). */
function readFields(buffer: Buffer): Fields {
  const fields: Fields = new Map();
  let position = 0;
  const varint = (): number => {
    let result = 0;
    let factor = 1;
    for (;;) {
      const byte = buffer[position++];
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) return result;
      factor *= 128;
    }
  };
  while (position < buffer.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    let value: number | Buffer;
    switch (tag % 8) {
      case 0:
        value = varint();
        break;
      case 1:
        value = buffer.subarray(position, (position += 8));
        break;
      case 2: {
        const length = varint();
        value = buffer.subarray(position, (position += length));
        break;
      }
      case 5:
        value = buffer.subarray(position, (position += 4));
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${tag % 8}`);
    }
    const values = fields.get(field) ?? [];
    values.push(value);
    fields.set(field, values);
  }
  return fields;
}
