import { expect } from 'chai';
import { createRequire } from 'module';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { futureAgiFromEnv } from '../../src/register/future-agi';
import { loadRequiredPeers, loadSdkDependency, MissingPeerError } from '../../src/register/peers';
import { processorOptionsFromEnv } from '../../src/register/processor-options';
import { exportingProcessorsFromEnv } from '../../src/register/span-processors';
import { ROOT } from '../support/paths';

const FI = { FI_API_KEY: 'k', FI_SECRET_KEY: 's', FI_PROJECT_NAME: 'p' };

/** The exporter a batch/simple processor of the SDK hands spans to. */
function exporterOf(processor: unknown): unknown {
  return (processor as { _exporter: unknown })._exporter;
}

describe('register entry configuration from the environment', () => {
  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'traceai-vllm-register-'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  describe('optional peers', () => {
    it('names every missing required peer, and how to install it, in one error', () => {
      const bare = createRequire(path.join(work, 'index.js'));
      expect(() => loadRequiredPeers(bare))
        .to.throw(MissingPeerError)
        .with.property('message')
        .that.includes('@opentelemetry/sdk-node, @opentelemetry/instrumentation-undici, @opentelemetry/instrumentation-http')
        .and.includes('npm install @opentelemetry/sdk-node @opentelemetry/instrumentation-undici @opentelemetry/instrumentation-http');
    });

    it('loads an exporter through sdk-node when only sdk-node is installed next to the package', () => {
      const project = path.join(work, 'only-sdk-node');
      fs.mkdirSync(path.join(project, 'node_modules', '@opentelemetry'), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', '@opentelemetry', 'sdk-node'), path.join(project, 'node_modules', '@opentelemetry', 'sdk-node'), 'dir');
      const load = createRequire(path.join(project, 'index.js'));
      expect(() => load('@opentelemetry/exporter-trace-otlp-proto')).to.throw(/Cannot find module/);
      const loaded = loadSdkDependency<{ OTLPTraceExporter: unknown }>('@opentelemetry/exporter-trace-otlp-proto', load);
      expect(loaded.OTLPTraceExporter).to.be.a('function');
      expect(() => loadSdkDependency('@opentelemetry/exporter-does-not-exist', load)).to.throw(MissingPeerError, 'npm install @opentelemetry/exporter-does-not-exist');
    });
  });

  describe('OTEL_TRACES_EXPORTER', () => {
    it('defaults to OTLP http/protobuf, batched', () => {
      const [processor, ...rest] = exportingProcessorsFromEnv({}, false);
      expect(rest).to.deep.equal([]);
      expect(processor).to.be.instanceOf(BatchSpanProcessor);
      expect(exporterOf(processor)).to.be.instanceOf(OtlpProtoExporter);
    });

    it('takes the protocol from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL before OTEL_EXPORTER_OTLP_PROTOCOL', () => {
      const [processor] = exportingProcessorsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, false);
      expect(exporterOf(processor)).to.be.instanceOf(OtlpHttpExporter);
    });

    it('builds one processor per listed exporter; console is simple', () => {
      const processors = exportingProcessorsFromEnv({ OTEL_TRACES_EXPORTER: ' console , otlp,console' }, false);
      expect(processors.map(processor => processor.constructor)).to.deep.equal([SimpleSpanProcessor, BatchSpanProcessor]);
    });

    it('exports nothing with none, and by default nothing beside Future AGI', () => {
      expect(exportingProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'none' }, false)).to.deep.equal([]);
      expect(exportingProcessorsFromEnv({}, true)).to.deep.equal([]);
      expect(exportingProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }, true)).to.have.length(1);
    });

    it('throws on an exporter or protocol it does not know, naming the variable', () => {
      expect(() => exportingProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp,jaeger' }, false)).to.throw(/OTEL_TRACES_EXPORTER "jaeger" not supported/);
      expect(() => exportingProcessorsFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }, false)).to.throw(/OTLP protocol "http\/xml" not supported/);
    });
  });

  describe('Future AGI', () => {
    it('is off when none of its variables is set', () => {
      expect(futureAgiFromEnv({})).to.equal(undefined);
    });

    it('posts to <FI_BASE_URL or api.futureagi.com>/tracer/v1/traces with the key headers', () => {
      expect(futureAgiFromEnv(FI)).to.deep.include({
        url: 'https://api.futureagi.com/tracer/v1/traces',
        headers: { 'x-api-key': 'k', 'x-secret-key': 's' },
      });
      expect(futureAgiFromEnv({ ...FI, FI_BASE_URL: 'http://collector:8000//' })?.url).to.equal('http://collector:8000/tracer/v1/traces');
    });

    it('takes FI_COLLECTOR_ENDPOINT as the full URL when it has a path, else as the base', () => {
      expect(futureAgiFromEnv({ ...FI, FI_BASE_URL: 'http://b', FI_COLLECTOR_ENDPOINT: 'http://c/v1/traces' })?.url).to.equal('http://c/v1/traces');
      expect(futureAgiFromEnv({ ...FI, FI_BASE_URL: 'http://b', FI_COLLECTOR_ENDPOINT: 'http://c' })?.url).to.equal('http://c/tracer/v1/traces');
    });

    it('names the project in the resource: observe by default, experiment with a version', () => {
      expect(futureAgiFromEnv(FI)?.resourceAttributes).to.deep.equal({ project_name: 'p', project_type: 'observe', 'service.name': 'p' });
      const experiment = futureAgiFromEnv({ ...FI, FI_PROJECT_TYPE: 'EXPERIMENT', FI_PROJECT_VERSION_NAME: 'v2' })?.resourceAttributes;
      expect(experiment).to.include({ project_type: 'experiment', project_version_name: 'v2' });
      expect(experiment?.project_version_id).to.match(/^[0-9a-f-]{36}$/);
    });

    it('throws when only some variables are set, or the project type is unknown', () => {
      expect(() => futureAgiFromEnv({ FI_API_KEY: 'k' })).to.throw('FI_SECRET_KEY, FI_PROJECT_NAME not set');
      expect(() => futureAgiFromEnv({ ...FI, FI_PROJECT_TYPE: 'prod' })).to.throw(/FI_PROJECT_TYPE must be observe or experiment/);
    });
  });

  describe('processor options', () => {
    it('reads TRACEAI_VLLM_BASE_URL_PATTERN as a substring, or /…/flags as a RegExp', () => {
      expect(processorOptionsFromEnv({ TRACEAI_VLLM_BASE_URL_PATTERN: 'vllm:8000' })).to.deep.equal({ baseUrlPattern: 'vllm:8000' });
      expect(processorOptionsFromEnv({ TRACEAI_VLLM_BASE_URL_PATTERN: '/VLLM-\\d+/i' }).baseUrlPattern).to.deep.equal(/VLLM-\d+/i);
      expect(() => processorOptionsFromEnv({ TRACEAI_VLLM_BASE_URL_PATTERN: '/(/' })).to.throw(/TRACEAI_VLLM_BASE_URL_PATTERN is not a valid RegExp/);
    });

    it('records GenAI metrics when a metrics exporter is configured', () => {
      expect(processorOptionsFromEnv({ OTEL_METRICS_EXPORTER: 'otlp' })).to.deep.equal({ metrics: true });
      expect(processorOptionsFromEnv({ OTEL_METRICS_EXPORTER: 'none' })).to.deep.equal({});
    });
  });
});
