import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeContinuityRepository } from '../adapters/dynamodb/continuity-repository';
import { makeDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { makeDirectorySettingsStore } from '../adapters/dynamodb/directory-settings';
import { makeTeamAccess } from '../adapters/team-access';
import { httpCore } from './core';
import { makeNotifier } from './notify';
import { outboundUrlCheck } from './outbound';

/** The directory for people: teams, the accounts shared with them, the user picker and workspace roles. */
export function directoryRuntime() {
  const { doc, tableName, core, options } = httpCore();
  const deps = {
    ...core,
    directory: makeDirectoryRepository(doc, tableName),
    accounts: makeAccountRepository(doc, tableName),
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
    settings: makeDirectorySettingsStore(doc, tableName),
    orphans: makeContinuityRepository(doc, tableName).orphans,
    notifier: makeNotifier(doc, tableName).notifier,
    // The webhook connector's outbound rules; locally the dev IdP's JWKS on the gateway's loopback origin.
    checkJwksUrl: outboundUrlCheck(),
  };
  return { deps, options };
}
