import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeTeamAccess } from '../adapters/team-access';
import { httpCore } from './core';
import { sharedKeyring } from './keyring';

/** Latchkey-managed TOTP on the lean core: accounts, the keyring and team access, no mailer. */
export function totpRuntime() {
  const { doc, tableName, core, options } = httpCore();
  const deps = {
    ...core,
    accounts: makeAccountRepository(doc, tableName),
    keyring: sharedKeyring(),
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
  };
  return { deps, options };
}
