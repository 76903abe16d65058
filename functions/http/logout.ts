import { globalTokenRevocation } from '../../shared/domain/logout/global-token-revocation';
import { clearRotateByHand, listRotateByHand, universalLogout } from '../../shared/domain/logout/use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { logoutRoutes } from '../../shared/http/routes/logout';

/** Universal logout: by an admin, or by the workspace's IdP (Global Token Revocation); rotate-by-hand. */
export const handler = createLazyGroupHandler(
  'logout',
  logoutRoutes,
  ({ deps }) => ({
    universalLogout: async ({ caller, params }) => universalLogout(caller, params.userId, deps),
    globalTokenRevocation: async ({ params, body, event }) => {
      const proto = event.headers?.['x-forwarded-proto'] ?? 'https';
      await globalTokenRevocation(
        {
          workspaceId: params.workspaceId,
          authorization: event.headers?.authorization,
          subId: body.sub_id,
          endpoint: `${proto}://${event.requestContext.domainName}${event.rawPath}`,
        },
        deps,
      );
      return null;
    },
    listRotateByHand: async ({ caller, query }) => listRotateByHand(caller, query, deps),
    clearRotateByHand: async ({ caller, params }) => {
      await clearRotateByHand(caller, params.accountId, deps);
      return { deleted: true as const };
    },
  }),
  () => import('../../shared/runtime/logout').then((runtime) => runtime.logoutRuntime()),
);
