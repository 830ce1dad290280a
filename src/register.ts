/**
 * Zero-code entry: `node --import @traceai/vllm/register app.mjs` (or `--require` for CommonJS)
 * traces an unchanged application. The SDK comes from the standard `OTEL_*` variables, the
 * processor's base URL pattern from `TRACEAI_VLLM_BASE_URL_PATTERN`, and with `FI_API_KEY`,
 * `FI_SECRET_KEY` and `FI_PROJECT_NAME` the spans also go to Future AGI (see the README).
 * Loading it has side effects only; it exports nothing.
 */
import { startTracing } from './register/start';

startTracing();
