import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeTeamAccess } from '../adapters/team-access';
import { ENV, requireEnv } from '../config/env';
import type { IngestDeps } from '../domain/accounts/ingest';
import { count, DIMENSIONS, METRICS, type MetricName } from '../observability/metrics';
import { accountSettings } from './keyring';
import { makeNotifier } from './notify';

/** The ingest's outcome names, as published (one metric per outcome, by channel). */
const INBOUND_METRICS: Record<string, MetricName> = {
  InboundReceived: METRICS.inboundReceived,
  InboundStored: METRICS.inboundStored,
  InboundDuplicate: METRICS.inboundDeduplicated,
  InboundUnknownRecipient: METRICS.inboundRejected,
  InboundCodeExtracted: METRICS.inboundCodesExtracted,
};

/** What storing an inbound message needs (SMS and email alike), built once per container. */
export function inboxIngestDeps(): IngestDeps {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  return {
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    notifier: makeNotifier(doc, tableName).notifier,
    retentionDays: accountSettings().inboxRetentionDays,
    count: (metric, channel) => {
      const name = INBOUND_METRICS[metric];
      if (name) count(name, { [DIMENSIONS.channel]: channel });
    },
    teamRecipients: makeTeamAccess(doc, tableName).teamRecipients,
  };
}
