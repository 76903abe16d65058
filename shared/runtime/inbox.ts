import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeTeamAccess } from '../adapters/team-access';
import { ENV, requireEnv } from '../config/env';
import type { IngestDeps } from '../domain/accounts/ingest';
import { metrics } from '../observability';
import { accountSettings } from './keyring';
import { makeNotifier } from './notify';

/** What storing an inbound message needs (SMS and email alike), built once per container. */
export function inboxIngestDeps(): IngestDeps {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  return {
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    notifier: makeNotifier(doc, tableName).notifier,
    retentionDays: accountSettings().inboxRetentionDays,
    count: (metric: string) => metrics.addMetric(metric, 'Count', 1),
    teamRecipients: makeTeamAccess(doc, tableName).teamRecipients,
  };
}
