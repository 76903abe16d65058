import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { sharedDocumentClient } from '../../shared/adapters/dynamodb/client';
import { makeRotationRepository } from '../../shared/adapters/dynamodb/rotation-repository';
import { newId, systemClock } from '../../shared/adapters/ids';
import { ENV, requireEnv } from '../../shared/config/env';
import type { Clock } from '../../shared/domain/ports';
import { sweepDueRotations } from '../../shared/domain/rotation/use-cases';
import { logger, metrics } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * The one scheduled function (EventBridge schedule in AWS, `POST /_local/rotations/sweep` locally with
 * any clock): queues a rotation for every account the sparse index says is due.
 */
export function createRotationSweep(clock: Clock = systemClock) {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  const deps = {
    rotations: makeRotationRepository(doc, tableName),
    accounts: makeAccountRepository(doc, tableName),
    newId,
    clock,
  };
  return async () => {
    const report = await sweepDueRotations(deps);
    logger.info('rotation sweep', report);
    metrics.addMetric('RotationsScheduled', 'Count', report.started);
    metrics.publishStoredMetrics();
    return report;
  };
}

export const handler = lazyHandler(() => createRotationSweep());
