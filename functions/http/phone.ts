import { deleteAccount, provisionPhone, releasePhone } from '../../shared/domain/accounts/use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { ownerFirst } from '../../shared/http/owner-first';
import { phoneRoutes } from '../../shared/http/routes/phone';
import type { ExternalAdapters } from '../../shared/runtime/external-adapters';

/**
 * The routes that need End User Messaging (its SDK client stays out of the other bundles). Lambda uses
 * AWS's; the local runtime passes its simulator.
 */
export function createHandler(adapters?: Pick<ExternalAdapters, 'phoneNumbers'>) {
  return createLazyGroupHandler(
    'phone',
    phoneRoutes,
    ({ deps }) => ({
      provisionPhone: async ({ caller, params, body }) => ({
        phoneNumber: await provisionPhone(caller, params.id, body.type, deps),
      }),
      releasePhone: async ({ caller, params }) => {
        await releasePhone(caller, params.id, deps);
        return { deleted: true as const };
      },
      deleteAccount: async ({ caller, params }) => {
        await deleteAccount(caller, params.id, deps);
        return { deleted: true as const };
      },
    }),
    async () => {
      const runtime = (await import('../../shared/runtime/phone')).phoneRuntime(adapters);
      const { deps, options } = runtime;
      return { ...runtime, options: { ...options, confirm: ownerFirst(options.confirm, deps) } };
    },
  );
}

export const handler = createHandler();
