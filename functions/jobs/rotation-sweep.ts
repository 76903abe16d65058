import { sweepDueRotations } from '../../shared/domain/rotation/use-cases';
import { logger, metrics } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * The one scheduled function (EventBridge schedule in AWS, `POST /_local/rotations/sweep` locally with
 * any clock): queues a rotation for every account the sparse index says is due.
 */
export function createRotationSweep(deps: Parameters<typeof sweepDueRotations>[0]) {
  return async () => {
    const report = await sweepDueRotations(deps);
    logger.info('rotation sweep', report);
    metrics.addMetric('RotationsScheduled', 'Count', report.started);
    metrics.publishStoredMetrics();
    return report;
  };
}

// The repositories load on the first run: module-load budget.
export const handler = lazyHandler(async () =>
  createRotationSweep((await import('../../shared/runtime/rotation-sweep')).rotationSweepDeps()),
);
