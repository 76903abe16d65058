import type { SNSEvent } from 'aws-lambda';
import { inboxIngestDeps } from '../../shared/adapters/inbox-runtime';
import { parseInboundSms } from '../../shared/adapters/sns/inbound-sms';
import { ingestInbound } from '../../shared/domain/accounts/ingest';
import { logger, metrics } from '../../shared/observability';

const deps = inboxIngestDeps();

/** Inbound SMS (SNS from End User Messaging) -> the account's shared inbox. Failures throw: SNS retries. */
export const handler = async (event: SNSEvent): Promise<void> => {
  const { messages, invalid } = parseInboundSms(event);
  if (invalid > 0) {
    logger.warn('dropping records that are not two-way SMS', { invalid });
    metrics.addMetric('InboundSmsInvalid', 'Count', invalid);
  }
  for (const message of messages) {
    const outcome = await ingestInbound(message, deps);
    logger.info('inbound sms', { outcome });
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};
