import type { Context } from 'aws-lambda';
import { type ConnectorDeps, runConnector } from '../../shared/domain/rotation/connector';
import { ConnectorError } from '../../shared/domain/rotation/errors';
import type { ConnectorRequest, ConnectorResult } from '../../shared/domain/rotation/ports';
import { logger } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * The isolated connector function: invoked by the rotation worker with ids and version numbers, it
 * opens the sealed secrets itself and drives the app. Logs carry the operation and outcome only.
 */
export function createConnector(deps: ConnectorDeps) {
  return async (request: ConnectorRequest, _context?: Context): Promise<ConnectorResult> => {
    try {
      const result = await runConnector(request, deps);
      logger.info('connector call', {
        op: request.op,
        appId: request.appId,
        accountId: request.accountId,
        ok: result.ok,
      });
      return result;
    } catch (error) {
      const detail = error instanceof ConnectorError ? error.message : 'the connector failed';
      logger.warn('connector call failed', {
        op: request.op,
        appId: request.appId,
        accountId: request.accountId,
        detail,
      });
      return { ok: false, detail };
    }
  };
}

// The adapters (SDK clients, the keyring, the drivers) load on the first call: module-load budget.
export const handler = lazyHandler(async () =>
  createConnector((await import('../../shared/runtime/connector')).connectorDeps()),
);
