import { expect } from 'chai';
import * as sinon from 'sinon';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { VLLMSpanProcessor } from '../../src';
import { DEFAULT_BASE64_IMAGE_MAX_LENGTH, HIDE_SWITCH_ENV, resolveGenAiContent, resolveTraceConfig, type HideSwitch } from '../../src/privacy/trace-config';

const SWITCHES = Object.keys(HIDE_SWITCH_ENV) as HideSwitch[];

/** A diag logger whose warnings the test can read; `diag.disable()` removes it. */
function captureWarnings(): sinon.SinonSpy {
  const warn = sinon.spy();
  const ignore = () => undefined;
  diag.setLogger({ error: ignore, warn, info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.WARN);
  return warn;
}

describe('trace config resolution', () => {
  afterEach(() => diag.disable());

  it('is all off with 32000 as the base64 limit when neither options nor environment say otherwise', () => {
    const config = resolveTraceConfig(undefined, {});
    for (const name of SWITCHES) expect(config[name], name).to.equal(false);
    expect(config.base64ImageMaxLength).to.equal(DEFAULT_BASE64_IMAGE_MAX_LENGTH);
  });

  for (const name of SWITCHES) {
    it(`reads ${HIDE_SWITCH_ENV[name]} without any traceConfig object, "true" in any case`, () => {
      expect(resolveTraceConfig(undefined, { [HIDE_SWITCH_ENV[name]]: 'TRUE' })[name]).to.equal(true);
      expect(resolveTraceConfig({}, { [HIDE_SWITCH_ENV[name]]: ' true ' })[name]).to.equal(true);
      const others = SWITCHES.filter(other => other !== name);
      const config = resolveTraceConfig(undefined, { [HIDE_SWITCH_ENV[name]]: 'True' });
      for (const other of others) expect(config[other], other).to.equal(false);
    });
  }

  it('lets an option beat its variable, both ways', () => {
    expect(resolveTraceConfig({ hideInputs: false }, { FI_HIDE_INPUTS: 'true' }).hideInputs).to.equal(false);
    expect(resolveTraceConfig({ hideOutputs: true }, { FI_HIDE_OUTPUTS: 'false' }).hideOutputs).to.equal(true);
    expect(resolveTraceConfig({ base64ImageMaxLength: 10 }, { FI_BASE64_IMAGE_MAX_LENGTH: '99' }).base64ImageMaxLength).to.equal(10);
  });

  it('reads FI_BASE64_IMAGE_MAX_LENGTH as an integer and warns about anything else', () => {
    const warn = captureWarnings();
    expect(resolveTraceConfig(undefined, { FI_BASE64_IMAGE_MAX_LENGTH: '1024' }).base64ImageMaxLength).to.equal(1024);
    expect(resolveTraceConfig(undefined, { FI_BASE64_IMAGE_MAX_LENGTH: '1e3' }).base64ImageMaxLength).to.equal(DEFAULT_BASE64_IMAGE_MAX_LENGTH);
    expect(warn.calledOnce).to.equal(true);
    expect(String(warn.firstCall.args.join(' '))).to.contain('FI_BASE64_IMAGE_MAX_LENGTH');
  });

  it('ignores a variable that is neither true nor false, with a warning', () => {
    const warn = captureWarnings();
    expect(resolveTraceConfig(undefined, { FI_HIDE_INPUTS: 'yes' }).hideInputs).to.equal(false);
    expect(warn.calledOnce).to.equal(true);
  });

  it('hides inputs and outputs for OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false, unless an option says otherwise', () => {
    for (const value of ['false', 'NO_CONTENT', 'event_only']) {
      const config = resolveTraceConfig(undefined, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: value });
      expect([config.hideInputs, config.hideOutputs, config.hideInputText], value).to.deep.equal([true, true, false]);
    }
    // One variable that switches content off is not undone by the other.
    expect(resolveTraceConfig(undefined, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false', FI_HIDE_INPUTS: 'false' }).hideInputs).to.equal(true);
    expect(resolveTraceConfig({ hideInputs: false }, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }).hideInputs).to.equal(false);
  });

  it('turns the gen_ai content on unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false, the option first', () => {
    expect(resolveGenAiContent(undefined, {})).to.equal(true);
    expect(resolveGenAiContent(undefined, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'FALSE' })).to.equal(false);
    expect(resolveGenAiContent(true, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' })).to.equal(true);
    expect(resolveGenAiContent(undefined, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'True' })).to.equal(true);
    expect(resolveGenAiContent(undefined, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'SPAN_ONLY' })).to.equal(true);
    expect(resolveGenAiContent(false, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })).to.equal(false);
  });

  it('throws a TypeError at construction for options of the wrong type', () => {
    const construct = (options: unknown) => () => new VLLMSpanProcessor(options as never).shutdown();
    expect(construct({ traceConfig: 'hide' })).to.throw(TypeError, /traceConfig must be an object/);
    expect(construct({ traceConfig: { hideInputs: 'true' } })).to.throw(TypeError, /traceConfig\.hideInputs must be a boolean/);
    expect(construct({ traceConfig: { base64ImageMaxLength: -1 } })).to.throw(TypeError, /base64ImageMaxLength/);
    expect(construct({ semconv: 'both ' })).to.throw(TypeError, /semconv must be one of/);
    expect(construct({ meterProvider: {} })).to.throw(TypeError, /meterProvider/);
    expect(construct({ metrics: 1 })).to.throw(TypeError, /metrics must be a boolean/);
    expect(construct({ maxValueLength: 1.5 })).to.throw(TypeError, /maxValueLength/);
  });
});
