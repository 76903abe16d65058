import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeTeamAccess } from '../adapters/team-access';
import type { AccountDeps } from '../domain/accounts/use-cases';
import { httpRuntime } from './http';
import { accountSettings, sharedKeyring } from './keyring';

/** The HTTP runtime plus the accounts context: repositories, the keyring and settings. */
export function accountsRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const accountDeps: AccountDeps = {
    ...deps,
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    keyring: sharedKeyring(),
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
    ...accountSettings(),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
  };
  return { ...runtime, accountDeps };
}
