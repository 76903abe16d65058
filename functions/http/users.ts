import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeAccessLister } from '../../shared/adapters/team-access';
import { sessionOf } from '../../shared/domain/devices/use-cases';
import { cancelPendingChallenges } from '../../shared/domain/identity/cancel-pending';
import { deprovisionUser } from '../../shared/domain/users/deprovision-user';
import { updateProfile } from '../../shared/domain/users/update-profile';
import { createGroupHandler } from '../../shared/http/handler';
import { coreRoutes } from '../../shared/http/routes/core';
import { httpRuntime } from '../../shared/http/runtime';
import { toUserView } from '../../shared/http/views';

const runtime = httpRuntime();
const { options } = runtime;
// The deprovisioning event lists the accounts the user could use, directly and through teams.
const deps = {
  ...runtime.deps,
  ...makeAccessLister(runtime.doc, runtime.tableName),
  cancelPendingChallenges: (userId: string) => cancelPendingChallenges(userId, runtime.deps),
  owners: makeDirectoryRepository(runtime.doc, runtime.tableName).owners,
};

export const handler = createGroupHandler(
  'users',
  coreRoutes,
  {
    getMe: async ({ caller, device }) => ({
      user: toUserView(caller),
      ...(device ? { session: sessionOf(device, deps) } : {}),
    }),
    updateMe: async ({ caller, body }) => ({ user: toUserView(await updateProfile(caller, body, deps)) }),
    deprovisionUser: async ({ caller, params }) => ({
      user: toUserView(await deprovisionUser(caller, params.userId, deps)),
    }),
  },
  options,
);
