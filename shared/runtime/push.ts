import { sharedPushGateway } from '../adapters/sns/shared-gateway';
import { httpCore } from './core';
import type { ExternalAdapters } from './external-adapters';

/** Push registration on the lean core plus the push gateway (SNS, or the local simulator). */
export function pushRuntime(adapters?: Pick<ExternalAdapters, 'pushGateway'>) {
  const { core, options } = httpCore();
  return { deps: { ...core, gateway: adapters?.pushGateway ?? sharedPushGateway() }, options };
}
