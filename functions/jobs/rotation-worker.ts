import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { advanceRotation, type EngineDeps } from '../../shared/domain/rotation/engine';
import { logger, metrics } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/** A rotation job: ids only (the relay sends the outbox event's `detail`). */
function parseJob(body: string): { accountId: string; rotationId: string } | undefined {
  try {
    const job = JSON.parse(body) as { accountId?: unknown; rotationId?: unknown };
    return typeof job.accountId === 'string' && typeof job.rotationId === 'string'
      ? { accountId: job.accountId, rotationId: job.rotationId }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SQS -> the rotation engine. A job whose rotation must wait (a failed attempt, another worker holding
 * it) is reported as a batch item failure: SQS delivers it again after the visibility timeout, which
 * is the retry delay; past the queue's receive budget it lands in the DLQ (alarmed).
 */
export function createRotationWorker(deps: EngineDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const work = async (record: SQSRecord) => {
    const job = parseJob(record.body);
    if (!job) {
      logger.error('dropping a message that is not a rotation job', { messageId: record.messageId });
      return;
    }
    const outcome = await advanceRotation(job, deps);
    logger.info('rotation advanced', { ...job, outcome });
    if (outcome === 'retry') throw new Error(`rotation ${job.rotationId} waits for a retry`);
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    try {
      return await processPartialResponse(event, work, processor, {
        ...(context ? { context } : {}),
        throwOnFullBatchFailure: false,
      });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

// The adapters (SDK clients, the keyring, the mailer) load on the first batch: module-load budget.
export const handler = lazyHandler(async () => {
  const runtime = await import('../../shared/runtime/rotation');
  return createRotationWorker(runtime.rotationWorkerDeps(runtime.lambdaConnector()));
});
