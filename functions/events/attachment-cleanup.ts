import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { removalOf } from '../../shared/adapters/dynamodb/secret-removals';
import { type CleanupDeps, cleanUpAfter } from '../../shared/domain/secrets/cleanup';
import { logger } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * Table stream (filtered: attachment records removed, secret items removed by TTL) -> the attachments
 * bucket. Each record is cleaned up on its own; a failing one is reported (partial batch response,
 * its sequence number), so Lambda retries from it, bisecting the batch, and after the retries its
 * stream coordinates go to the on-failure dead-letter queue with an alarm. Replays are harmless: the
 * clean-up is idempotent.
 */
export function createAttachmentCleanup(deps: CleanupDeps) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const clean = async (record: DynamoDBRecord) => {
    const removal = removalOf(record);
    if (!removal) return;
    const removed = await cleanUpAfter(removal, deps);
    logger.info('attachment clean-up', { ...removal, ...removed });
  };
  return (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> =>
    processPartialResponse(event, clean, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
}

export const handler = lazyHandler(async () =>
  createAttachmentCleanup((await import('../../shared/runtime/attachment-cleanup')).attachmentCleanupDeps()),
);
