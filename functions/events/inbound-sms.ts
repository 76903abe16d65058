import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseInboundSms } from '../../shared/adapters/sqs/inbound-sms';
import { type IngestDeps, ingestInbound } from '../../shared/domain/accounts/ingest';
import { logger } from '../../shared/observability';
import { count, DIMENSIONS, METRICS } from '../../shared/observability/metrics';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * Inbound SMS queue (SNS topic -> SQS, raw delivery) -> the account's shared inbox. A message that
 * fails is reported (partial batch response) and comes back after the visibility timeout; after five
 * receives the queue's dead-letter queue keeps it, with an alarm. A body that is no two-way SMS (a
 * poison message) fails the same way, so it ends in the dead-letter queue for inspection instead of
 * vanishing; the rest of its batch is processed.
 */
export function createInboundSmsHandler(deps: IngestDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const ingest = async (record: SQSRecord) => {
    const message = parseInboundSms(record);
    if (!message) {
      logger.warn('a queue message that is not a two-way SMS, left for the dead-letter queue', {
        messageId: record.messageId,
      });
      count(METRICS.inboundRejected, { [DIMENSIONS.channel]: 'sms' });
      throw new Error('not a two-way SMS');
    }
    const outcome = await ingestInbound(message, deps);
    logger.info('inbound sms', { outcome });
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const response = await processPartialResponse(event, ingest, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
    return response;
  };
}

export const handler = lazyHandler(async () =>
  createInboundSmsHandler((await import('../../shared/runtime/inbox')).inboxIngestDeps()),
);
