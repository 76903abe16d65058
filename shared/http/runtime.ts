import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeUserRepository } from '../adapters/dynamodb/user-repository';
import { newId, systemClock } from '../adapters/ids';
import { DEFAULTS, ENV, optionalEnv, positiveIntEnv, requireEnv } from '../config/env';
import { resolveCaller } from '../domain/users/resolve-caller';
import type { GroupOptions } from './handler';

/**
 * Everything an HTTP group needs, built once per container from the environment (cold start) and
 * shared by every invocation. Throws naming the missing variable when the config is incomplete.
 */
export function httpRuntime() {
  const tableName = requireEnv(ENV.tableName);
  const doc = sharedDocumentClient();
  const users = makeUserRepository(doc, tableName);
  const deps = { users, clock: systemClock, newId };
  const options: GroupOptions = {
    maxBodyBytes: positiveIntEnv(ENV.maxBodyBytes, DEFAULTS.maxBodyBytes),
    workspaceClaim: optionalEnv(ENV.workspaceClaim) ?? DEFAULTS.workspaceClaim,
    resolveCaller: (identity) => resolveCaller(identity, deps),
  };
  return { doc, tableName, deps, options };
}
