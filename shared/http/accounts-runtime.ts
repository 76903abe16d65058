import { accountSettings, sharedKeyring } from '../adapters/accounts-runtime';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeLoginGrantRepository } from '../adapters/dynamodb/login-grant-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeTeamAccess } from '../adapters/team-access';
import type { LoginDeps } from '../domain/logins/use-cases';
import { httpRuntime } from './runtime';

/** The HTTP runtime plus the accounts context: repositories, the keyring and settings. */
export function accountsRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const accountDeps: LoginDeps = {
    ...deps,
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    keyring: sharedKeyring(),
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
    ...accountSettings(),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
    grants: makeLoginGrantRepository(doc, tableName),
  };
  return { ...runtime, accountDeps };
}
