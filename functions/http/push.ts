import { sharedPushGateway } from '../../shared/adapters/sns/shared-gateway';
import { registerPush } from '../../shared/domain/notifications/use-cases';
import { createGroupHandler } from '../../shared/http/handler';
import { notificationsRoutes } from '../../shared/http/routes/notifications';
import { httpCore } from '../../shared/http/runtime';
import { type ExternalAdapters, lazyHandler } from '../../shared/runtime/external-adapters';

/** Push registration on its own: the only HTTP route that needs the SNS client (bundle budget). */
export function createHandler(adapters: Pick<ExternalAdapters, 'pushGateway'>) {
  const { core, options } = httpCore();
  const pushDeps = { ...core, gateway: adapters.pushGateway };
  return createGroupHandler(
    'push',
    notificationsRoutes,
    {
      registerPush: async ({ caller, device, params, body }) => {
        const registration = await registerPush(caller, device, params.id, body, pushDeps);
        return {
          pushRegistration: {
            platform: registration.platform,
            active: registration.active,
            updatedAt: registration.updatedAt,
          },
        };
      },
    },
    options,
  );
}

export const handler = lazyHandler(() => createHandler({ pushGateway: sharedPushGateway() }));
