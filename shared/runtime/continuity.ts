import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeChallengeRepository } from '../adapters/dynamodb/challenge-repository';
import { makeContinuityRepository } from '../adapters/dynamodb/continuity-repository';
import { makeDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { makeEmailQuota } from '../adapters/dynamodb/email-quota';
import { makeMailOutbox, makeOutboxMailer } from '../adapters/dynamodb/outbox-mail';
import { alertIfOwnerless, recordOrphanedAccounts } from '../domain/directory/continuity';
import type { Clock, IdGenerator, SecurityLog } from '../domain/ports';
import type { User } from '../domain/users/model';
import { logger } from '../observability';
import { count, METRICS } from '../observability/metrics';
import { sharedKeyring } from './keyring';
import { makeNotifier } from './notify';

/**
 * What deprovisioning needs for continuity: the orphaned-account index, and the alert (a
 * notification and an email to the admins, a WARN log line and the `WorkspaceOwnerLost` metric an alarm watches)
 * when the IdP deprovisioned the workspace's last owner.
 */
export function continuityHooks(
  doc: DynamoDBDocumentClient,
  tableName: string,
  core: {
    users: { getUser(id: string): Promise<User | undefined> };
    clock: Clock;
    newId: IdGenerator;
    security: SecurityLog;
  },
) {
  const directory = makeDirectoryRepository(doc, tableName);
  const { orphans, claimAlert } = makeContinuityRepository(doc, tableName);
  const deps = { accounts: makeAccountRepository(doc, tableName), users: core.users, directory, orphans };
  const alertDeps = {
    owners: directory.owners,
    workspaceAdmins: makeChallengeRepository(doc, tableName).workspaceAdmins,
    notifier: makeNotifier(doc, tableName).notifier,
    claimAlert,
    security: core.security,
    clock: core.clock,
    // The admins' email goes through the outbox like every email of a request (sealed, no SES call here).
    mailer: makeOutboxMailer(doc, tableName, makeMailOutbox(sharedKeyring(), core)),
    emailQuota: makeEmailQuota(doc, tableName),
  };
  return {
    recordOrphanedAccounts: (user: User) => recordOrphanedAccounts(user, { ...deps, clock: core.clock }),
    alertOwnerLost: async (user: User) => {
      const outcome = await alertIfOwnerless(user, alertDeps);
      if (outcome === 'alerted') {
        logger.warn('workspace has no active owner: the IdP deprovisioned the last one', {
          alert: 'workspace_owner_lost',
          workspaceId: user.workspaceId,
          userId: user.id,
        });
        count(METRICS.workspaceOwnerLost);
      }
      return outcome;
    },
  };
}
