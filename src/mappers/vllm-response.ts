import type { Attributes } from '@opentelemetry/api';
import * as A from '../attributes';
import { compactTransferParams } from './transfer-params';

/** The response fields vLLM adds beside the OpenAI ones that a trace reader correlates by. */
export interface VllmResponseFacts {
  service_tier?: unknown;
  kv_transfer_params?: unknown;
}

/**
 * `vllm.response.service_tier` (when not null) and `vllm.response.kv_transfer_params` (what a
 * prefill instance hands to the decode instance). Type-checked here, not by the schemas, so an
 * odd value costs only its own attribute.
 */
export function addVllmResponseAttributes(attributes: Attributes, response: VllmResponseFacts): void {
  if (typeof response.service_tier === 'string') attributes[A.VLLM_RESPONSE_SERVICE_TIER] = response.service_tier;
  const transfer = compactTransferParams(response.kv_transfer_params);
  if (transfer !== undefined) attributes[A.VLLM_RESPONSE_KV_TRANSFER_PARAMS] = transfer;
}
