import { sessionOf } from '../../shared/domain/devices/use-cases';
import { deprovisionUser } from '../../shared/domain/users/deprovision-user';
import { updateProfile } from '../../shared/domain/users/update-profile';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { coreRoutes } from '../../shared/http/routes/core';
import { toUserView } from '../../shared/http/views';

export const handler = createLazyGroupHandler(
  'users',
  coreRoutes,
  ({ deps }) => ({
    getMe: async ({ caller, device }) => ({
      user: toUserView(caller),
      ...(device ? { session: sessionOf(device, deps) } : {}),
    }),
    updateMe: async ({ caller, body }) => ({ user: toUserView(await updateProfile(caller, body, deps)) }),
    deprovisionUser: async ({ caller, params }) => ({
      user: toUserView(await deprovisionUser(caller, params.userId, deps)),
    }),
  }),
  () => import('../../shared/runtime/users').then((runtime) => runtime.usersRuntime()),
);
