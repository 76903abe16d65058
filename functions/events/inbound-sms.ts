import type { SNSEvent } from 'aws-lambda';
import { accountSettings } from '../../shared/adapters/accounts-runtime';
import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { sharedDocumentClient } from '../../shared/adapters/dynamodb/client';
import { makeInboxRepository } from '../../shared/adapters/dynamodb/inbox-repository';
import { makeNotifier } from '../../shared/adapters/notify-runtime';
import { parseInboundSms } from '../../shared/adapters/sns/inbound-sms';
import { ENV, requireEnv } from '../../shared/config/env';
import { ingestInbound } from '../../shared/domain/accounts/ingest';
import { logger, metrics } from '../../shared/observability';

const doc = sharedDocumentClient();
const tableName = requireEnv(ENV.tableName);
const deps = {
  accounts: makeAccountRepository(doc, tableName),
  inbox: makeInboxRepository(doc, tableName),
  notifier: makeNotifier(doc, tableName).notifier,
  retentionDays: accountSettings().inboxRetentionDays,
  count: (metric: string) => metrics.addMetric(metric, 'Count', 1),
};

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
