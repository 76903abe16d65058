import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeLoginGrantRepository } from '../adapters/dynamodb/login-grant-repository';
import { makeGrantLedger } from '../adapters/dynamodb/logout-repository';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeTeamAccess } from '../adapters/team-access';
import type { LoginDeps } from '../domain/logins/use-cases';
import { recordGrant } from '../domain/logout/grants';
import { afterLogin, assertPasswordStable, type RotationDeps } from '../domain/rotation/use-cases';
import { httpRuntime } from './http';
import { accountSettings, sharedKeyring } from './keyring';

/** The HTTP runtime plus the accounts context: repositories, the keyring and settings. */
export function accountsRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const rotations = makeRotationRepository(doc, tableName);
  const ledger = makeGrantLedger(doc, tableName);
  const accountDeps: LoginDeps = {
    ...deps,
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    keyring: sharedKeyring(),
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
    ...accountSettings(),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
    grants: makeLoginGrantRepository(doc, tableName),
    afterLogin: (accountId) => afterLogin(accountId, { rotations, clock: deps.clock }),
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
  const rotationDeps: RotationDeps = { ...accountDeps, rotations };
  return { ...runtime, accountDeps, rotationDeps };
}
