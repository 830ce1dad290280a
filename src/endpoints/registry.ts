import type { EndpointKind } from '../routing';
import { chatHandler } from './chat';
import type { EndpointHandler } from './endpoint-handler';

/** The handler of every endpoint that is traced; endpoints without one are left as HTTP spans. */
export const ENDPOINT_HANDLERS: Readonly<Partial<Record<EndpointKind, EndpointHandler>>> = {
  chat: chatHandler,
};
