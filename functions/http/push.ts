import { registerPush } from '../../shared/domain/notifications/use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { notificationsRoutes } from '../../shared/http/routes/notifications';
import type { ExternalAdapters } from '../../shared/runtime/external-adapters';

/** Push registration on its own: the only HTTP route that needs the SNS client (bundle budget). */
export function createHandler(adapters?: Pick<ExternalAdapters, 'pushGateway'>) {
  return createLazyGroupHandler(
    'push',
    notificationsRoutes,
    ({ deps }) => ({
      registerPush: async ({ caller, device, params, body }) => {
        const registration = await registerPush(caller, device, params.id, body, deps);
        return {
          pushRegistration: {
            platform: registration.platform,
            active: registration.active,
            updatedAt: registration.updatedAt,
          },
        };
      },
    }),
    () => import('../../shared/runtime/push').then((runtime) => runtime.pushRuntime(adapters)),
  );
}

export const handler = createHandler();
