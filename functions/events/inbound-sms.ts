import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseInboundSms } from '../../shared/adapters/sqs/inbound-sms';
import { type IngestDeps, ingestInbound } from '../../shared/domain/accounts/ingest';
import { logger, metrics } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * Inbound SMS queue (SNS topic -> SQS, raw delivery) -> the account's shared inbox. A message that
 * fails is reported (partial batch response) and comes back after the visibility timeout; after five
 * receives the queue's dead-letter queue keeps it, with an alarm. A body that is no two-way SMS is
 * counted and dropped: retrying it cannot help.
 */
export function createInboundSmsHandler(deps: IngestDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const ingest = async (record: SQSRecord) => {
    const message = parseInboundSms(record);
    if (!message) {
      logger.warn('dropping a queue message that is not a two-way SMS', { messageId: record.messageId });
      metrics.addMetric('InboundSmsInvalid', 'Count', 1);
      return;
    }
    const outcome = await ingestInbound(message, deps);
    logger.info('inbound sms', { outcome });
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const response = await processPartialResponse(event, ingest, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    return response;
  };
}

export const handler = lazyHandler(async () =>
  createInboundSmsHandler((await import('../../shared/runtime/inbox')).inboxIngestDeps()),
);
