import { makeDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { makeAccessLister } from '../adapters/team-access';
import { cancelPendingChallenges } from '../domain/identity/cancel-pending';
import { continuityHooks } from './continuity';
import { httpRuntime } from './http';

/**
 * The users group: the HTTP runtime, plus the accounts a deprovisioning event lists (directly and
 * through teams), the pending challenges it cancels and the workspace owners it protects.
 */
export function usersRuntime() {
  const runtime = httpRuntime();
  return {
    ...runtime,
    deps: {
      ...runtime.deps,
      ...makeAccessLister(runtime.doc, runtime.tableName),
      ...continuityHooks(runtime.doc, runtime.tableName, runtime.deps),
      cancelPendingChallenges: (userId: string) => cancelPendingChallenges(userId, runtime.deps),
      owners: makeDirectoryRepository(runtime.doc, runtime.tableName).owners,
    },
  };
}
