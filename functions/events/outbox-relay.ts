import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxEventOf } from '../../shared/adapters/dynamodb/outbox';
import { parsePushJob } from '../../shared/adapters/sqs/push-jobs';
import { type DomainEvent, MAIL_EVENT, PUSH_JOB_EVENT } from '../../shared/domain/events';
import type { PushJob } from '../../shared/domain/ports';
import { ROTATION_JOB_EVENT } from '../../shared/domain/rotation/jobs';
import { logger } from '../../shared/observability';
import { correlationOfRecord, withCorrelation } from '../../shared/observability/correlation';
import { lazyHandler } from '../../shared/runtime/external-adapters';
import type { OutboxRelayDeps } from '../../shared/runtime/outbox-relay';

/** SendMessageBatch takes at most 10 messages. */
const SQS_BATCH = 10;

/** The jobs a push event carries (`detail.jobs`; an older item carries one job as its detail). */
function pushJobsOf(event: DomainEvent): PushJob[] {
  const raw = Array.isArray(event.detail.jobs) ? (event.detail.jobs as unknown[]) : [event.detail];
  return raw.map((item) => {
    const job = parsePushJob(JSON.stringify(item));
    if (!job) throw new Error(`outbox event ${event.id} carries something that is not a push job`);
    return job;
  });
}

/**
 * Table stream -> wherever each outbox event goes: push jobs to the push queue (10 per
 * SendMessageBatch), rotation jobs to the rotation queue, emails (sealed) opened and sent through
 * SES (once per event id), every other event to the event bus. Each
 * record keeps the correlation id its outbox item carries into the queue message or event.
 *
 * Ordering and delivery: records are relayed one after the other, in stream order. The first record
 * that fails stops the batch: it and every later record are reported as failures, so Lambda
 * checkpoints just before it and retries from there (the stream's partial batch response keeps the
 * lowest failed sequence number). Nothing is published ahead of an event that failed before it, and
 * nothing already relayed in this batch is relayed again by that retry. Delivery is at least once (a
 * timeout or crash mid-batch replays the batch): consumers dedupe on the event `id`. After the
 * retries, the stream's on-failure destination (a DLQ with an alarm) keeps the failed record.
 */
export function createOutboxRelay(deps: OutboxRelayDeps) {
  const relay = (record: DynamoDBRecord) =>
    withCorrelation(correlationOfRecord(record), () => relayOne(record));
  const relayOne = async (record: DynamoDBRecord) => {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return;
    const event = outboxEventOf(unmarshall(record.dynamodb.NewImage as never));
    if (!event) return;
    if (event.type === PUSH_JOB_EVENT) {
      const jobs = pushJobsOf(event);
      for (let i = 0; i < jobs.length; i += SQS_BATCH)
        await deps.pushQueue.enqueue(jobs.slice(i, i + SQS_BATCH));
    } else if (event.type === MAIL_EVENT) {
      // Sent from here, after commit: a failing SES call retries the record, never fails a request.
      await deps.deliverMail(event);
    } else if (event.type === ROTATION_JOB_EVENT && deps.rotationQueue) {
      // Ids only: the worker reads the rotation's state from the table.
      await deps.rotationQueue.enqueue([event.detail]);
    } else {
      const refused = await deps.bus.publish([event]);
      if (refused.length > 0) throw new Error(`the event bus refused ${event.type} ${event.id}`);
    }
    logger.debug('outbox event relayed', { eventId: event.id, eventType: event.type });
  };
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records;
    for (const [index, record] of records.entries()) {
      try {
        await relay(record);
      } catch (error) {
        logger.warn('outbox relay stopped at a failed record; it and the rest of the batch are retried', {
          sequenceNumber: record.dynamodb?.SequenceNumber,
          remaining: records.length - index,
          error: (error as Error).message,
        });
        return {
          batchItemFailures: records
            .slice(index)
            .map((failed) => ({ itemIdentifier: failed.dynamodb?.SequenceNumber ?? '' })),
        };
      }
    }
    return { batchItemFailures: [] };
  };
}

export const handler = lazyHandler(async () =>
  createOutboxRelay((await import('../../shared/runtime/outbox-relay')).outboxRelayDeps()),
);
