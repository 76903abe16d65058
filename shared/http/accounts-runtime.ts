import { accountSettings, sharedKeyring } from '../adapters/accounts-runtime';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeTeamAccess } from '../adapters/team-access';
import type { AccountDeps } from '../domain/accounts/use-cases';
import { afterLogin, type RotationDeps } from '../domain/rotation/use-cases';
import { httpRuntime } from './runtime';

/** The HTTP runtime plus the accounts context: repositories, the keyring and settings. */
export function accountsRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const rotations = makeRotationRepository(doc, tableName);
  const accountDeps: AccountDeps = {
    ...deps,
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    keyring: sharedKeyring(),
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
    ...accountSettings(),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
    afterLogin: (accountId) => afterLogin(accountId, { rotations, clock: deps.clock }),
  };
  const rotationDeps: RotationDeps = { ...accountDeps, rotations };
  return { ...runtime, accountDeps, rotationDeps };
}
