import { newWebhookSecret } from '../adapters/connectors/webhook-signature';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeAppWebhookRepository } from '../adapters/dynamodb/app-webhook-repository';
import { makeOrphanMarker } from '../adapters/dynamodb/continuity-repository';
import { makeDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeLoginGrantRepository } from '../adapters/dynamodb/login-grant-repository';
import { makeGrantLedger } from '../adapters/dynamodb/logout-repository';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeTeamAccess } from '../adapters/team-access';
import { recordIfOrphaned } from '../domain/directory/continuity';
import type { LoginDeps } from '../domain/logins/use-cases';
import { recordGrant } from '../domain/logout/grants';
import { afterLogin, assertPasswordStable, type RotationDeps } from '../domain/rotation/use-cases';
import type { WebhookDeps } from '../domain/rotation/webhooks';
import { withDeviceKeys } from './devices';
import { httpRuntime } from './http';
import { accountSettings, sharedKeyring } from './keyring';
import { outboundUrlCheck } from './outbound';

/** The HTTP runtime plus the accounts context: repositories, the keyring and settings. */
export function accountsRuntime() {
  const runtime = withDeviceKeys(httpRuntime());
  const { doc, tableName, deps } = runtime;
  const rotations = makeRotationRepository(doc, tableName);
  const accounts = makeAccountRepository(doc, tableName);
  const continuity = {
    accounts,
    users: deps.users,
    directory: makeDirectoryRepository(doc, tableName),
    orphans: makeOrphanMarker(doc, tableName),
    clock: deps.clock,
  };
  const ledger = makeGrantLedger(doc, tableName);
  const webhooks = makeAppWebhookRepository(doc, tableName);
  const accountDeps: LoginDeps = {
    ...deps,
    accounts,
    webhooks,
    inbox: makeInboxRepository(doc, tableName),
    keyring: sharedKeyring(),
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
    ...accountSettings(),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
    grants: makeLoginGrantRepository(doc, tableName),
    afterLogin: (accountId) => afterLogin(accountId, { rotations, clock: deps.clock }),
    afterOwnerRemoved: (accountId, formerOwnerId) => recordIfOrphaned(accountId, formerOwnerId, continuity),
    grantHooks: {
      // While a rotation changes the app's password, neither the old nor the new one is sure to work.
      beforeCredentialRead: async (account) => assertPasswordStable(account),
      // A grant hands the password to a device: a login event for the after-login rotation policy.
      afterGrant: async (account, grant) => {
        await afterLogin(account.id, { rotations, clock: deps.clock });
        // Who saw which password since its last rotation: what a universal logout rotates.
        await recordGrant(account, grant, ledger);
      },
    },
  };
  const rotationDeps: RotationDeps = { ...accountDeps, rotations, webhooks };
  const webhookDeps: WebhookDeps = {
    webhooks,
    keyring: accountDeps.keyring,
    clock: deps.clock,
    security: deps.security,
    checkUrl: outboundUrlCheck(),
    newSecret: newWebhookSecret,
    // The owners' notice of a change: notification list and push, email through the outbox (capped).
    notifier: deps.notifier,
    workspaceAdmins: deps.workspaceAdmins,
    emailQuota: deps.emailQuota,
    mailer: deps.mailer,
  };
  return { ...runtime, accountDeps, rotationDeps, webhookDeps };
}
