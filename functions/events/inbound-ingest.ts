import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseInboundJob } from '../../shared/adapters/sqs/inbound-jobs';
import { type IngestDeps, ingestInbound } from '../../shared/domain/accounts/ingest';
import { logger } from '../../shared/observability';
import { count, DIMENSIONS, METRICS } from '../../shared/observability/metrics';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * Parsed inbound email (SQS) -> the account's shared inbox. Reports only the messages to retry; one
 * that is no inbound message (a poison message) is reported too, so it ends in the dead-letter queue.
 * The dependencies load on the first batch (module-load budget).
 */
export const handler = lazyHandler(async () =>
  ingestBatch((await import('../../shared/runtime/inbox')).inboxIngestDeps()),
);

const ingestBatch =
  (deps: IngestDeps) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const message = parseInboundJob(record.body);
      if (!message) {
        logger.error('a queue message that is not an inbound message, left for the dead-letter queue', {
          messageId: record.messageId,
        });
        count(METRICS.inboundRejected, { [DIMENSIONS.channel]: 'email' });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const outcome = await ingestInbound(message, deps);
        logger.info('inbound email stored', { outcome });
      } catch (error) {
        logger.warn('inbound email will be retried', { error: (error as Error).name });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
