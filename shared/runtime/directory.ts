import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeContinuityRepository } from '../adapters/dynamodb/continuity-repository';
import { makeDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { makeDirectorySettingsStore } from '../adapters/dynamodb/directory-settings';
import { makeTeamAccess } from '../adapters/team-access';
import { ENV, optionalEnv } from '../config/env';
import { httpCore } from './core';
import { makeNotifier } from './notify';

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
    // The dev IdP serves its keys over plain HTTP on loopback; only the local runtime may use that.
    allowLoopbackJwks: optionalEnv(ENV.stage) === 'local',
  };
  return { deps, options };
}
