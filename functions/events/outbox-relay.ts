import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxEventOf } from '../../shared/adapters/dynamodb/outbox';
import { parsePushJob } from '../../shared/adapters/sqs/push-jobs';
import { PUSH_JOB_EVENT } from '../../shared/domain/events';
import { ROTATION_JOB_EVENT } from '../../shared/domain/rotation/jobs';
import { logger } from '../../shared/observability';
import { correlationOfRecord, withCorrelation } from '../../shared/observability/correlation';
import { lazyHandler } from '../../shared/runtime/external-adapters';
import { type OutboxRelayDeps, outboxRelayDeps } from '../../shared/runtime/outbox-relay';

/**
 * Table stream -> wherever each outbox event goes: push jobs to the push queue, rotation jobs to the
 * rotation queue, every other event to the event bus. A record that fails is reported (partial batch response) and retried from there;
 * after the retries the stream's on-failure destination (a DLQ with an alarm) keeps it.
 */
export function createOutboxRelay(deps: OutboxRelayDeps) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  // Each record keeps the correlation id its outbox item carries into the queue message or event.
  const relay = (record: DynamoDBRecord) =>
    withCorrelation(correlationOfRecord(record), () => relayOne(record));
  const relayOne = async (record: DynamoDBRecord) => {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return;
    const event = outboxEventOf(unmarshall(record.dynamodb.NewImage as never));
    if (!event) return;
    if (event.type === PUSH_JOB_EVENT) {
      const job = parsePushJob(JSON.stringify(event.detail));
      if (!job) throw new Error(`outbox event ${event.id} carries no push job`);
      await deps.pushQueue.enqueue([job]);
    } else if (event.type === ROTATION_JOB_EVENT && deps.rotationQueue) {
      // Ids only: the worker reads the rotation's state from the table.
      await deps.rotationQueue.enqueue([event.detail]);
    } else {
      const refused = await deps.bus.publish([event]);
      if (refused.length > 0) throw new Error(`the event bus refused ${event.type} ${event.id}`);
    }
    logger.debug('outbox event relayed', { eventId: event.id, eventType: event.type });
  };
  return (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> =>
    processPartialResponse(event, relay, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
      processInParallel: false,
    });
}

export const handler = lazyHandler(() => createOutboxRelay(outboxRelayDeps()));
