import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  type DeprovisionedEvent,
  type RotationTriggerDeps,
  rotateAfterDeprovisioning,
} from '../../shared/domain/logout/use-cases';
import { logger } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

const ids = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];

/**
 * The EventBridge envelope EventBridge puts on the queue (`detail` is the outbox's DomainEvent), read
 * down to what the rotation consumer needs; anything else is undefined.
 */
export function parseDeprovisioned(body: string): DeprovisionedEvent | undefined {
  try {
    const envelope = JSON.parse(body) as { 'detail-type'?: unknown; detail?: Record<string, unknown> };
    const event = envelope.detail;
    const detail = event?.detail as Record<string, unknown> | undefined;
    if (envelope['detail-type'] !== 'user.deprovisioned' || !event || !detail) return undefined;
    if (typeof event.id !== 'string' || typeof event.workspaceId !== 'string') return undefined;
    if (typeof detail.userId !== 'string') return undefined;
    return {
      id: event.id,
      workspaceId: event.workspaceId,
      userId: detail.userId,
      accountIds: ids(detail.accountIds),
      accountIdsThroughTeams: ids(detail.accountIdsThroughTeams),
    };
  } catch {
    return undefined;
  }
}

/**
 * `user.deprovisioned` -> rotations of the accounts in its set whose app has a connector, and the
 * "rotate by hand" list for the others. Idempotent per event (its id claims each rotation), so a
 * redelivery queues nothing twice; a failed record is retried by SQS, then dead-lettered (alarmed).
 */
export function createDeprovisionedRotations(deps: RotationTriggerDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const work = async (record: SQSRecord) => {
    const event = parseDeprovisioned(record.body);
    if (!event) {
      logger.error('dropping a message that is not a user.deprovisioned event', {
        messageId: record.messageId,
      });
      return;
    }
    const report = await rotateAfterDeprovisioning(event, deps);
    logger.info('rotations after deprovisioning', {
      eventId: event.id,
      userId: event.userId,
      queued: report.queued.length,
      inProgress: report.inProgress.length,
      rotateByHand: report.rotateByHand.length,
    });
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, work, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
}

// The repositories load on the first batch: module-load budget.
export const handler = lazyHandler(async () =>
  createDeprovisionedRotations(
    (await import('../../shared/runtime/rotation-triggers')).deprovisionedRotationsDeps(),
  ),
);
