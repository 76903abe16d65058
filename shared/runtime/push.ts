import { makeDeviceRepository } from '../adapters/dynamodb/device-repository';
import { sharedPushGateway } from '../adapters/sns/shared-gateway';
import { httpCore } from './core';
import type { ExternalAdapters } from './external-adapters';

/** Push registration on the lean core plus the push gateway (SNS, or the local simulator). */
export function pushRuntime(adapters?: Pick<ExternalAdapters, 'pushGateway'>) {
  const { doc, tableName, core, options } = httpCore();
  return {
    deps: {
      ...core,
      // Registration writes the device's push entry: the full repository, not the core's reads.
      devices: makeDeviceRepository(doc, tableName),
      gateway: adapters?.pushGateway ?? sharedPushGateway(),
    },
    options,
  };
}
