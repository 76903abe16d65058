import { deleteTotp, getTotpCode, setTotp } from '../../shared/domain/accounts/totp-use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { accountsRoutes } from '../../shared/http/routes/accounts';

/** Latchkey-managed TOTP on its own, on the lean core: otplib stays out of the other bundles. */
export const handler = createLazyGroupHandler(
  'totp',
  accountsRoutes,
  ({ deps }) => ({
    setTotp: async ({ caller, params, body }) => ({ totp: await setTotp(caller, params.id, body, deps) }),
    getTotpCode: async ({ caller, params }) => getTotpCode(caller, params.id, deps),
    deleteTotp: async ({ caller, params }) => {
      await deleteTotp(caller, params.id, deps);
      return { deleted: true as const };
    },
  }),
  () => import('../../shared/runtime/totp').then((runtime) => runtime.totpRuntime()),
);
