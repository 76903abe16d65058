import { sharedKeyring } from '../../shared/adapters/accounts-runtime';
import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeTeamAccess } from '../../shared/adapters/team-access';
import { deleteTotp, getTotpCode, setTotp } from '../../shared/domain/accounts/totp-use-cases';
import { createGroupHandler } from '../../shared/http/handler';
import { accountsRoutes } from '../../shared/http/routes/accounts';
import { httpCore } from '../../shared/http/runtime';

/** Latchkey-managed TOTP on its own, on the lean core: otplib stays out of the other bundles. */
const { doc, tableName, core, options } = httpCore();
const deps = {
  ...core,
  accounts: makeAccountRepository(doc, tableName),
  keyring: sharedKeyring(),
  teamAccess: makeTeamAccess(doc, tableName).teamAccess,
};

export const handler = createGroupHandler(
  'totp',
  accountsRoutes,
  {
    setTotp: async ({ caller, params, body }) => ({ totp: await setTotp(caller, params.id, body, deps) }),
    getTotpCode: async ({ caller, params }) => getTotpCode(caller, params.id, deps),
    deleteTotp: async ({ caller, params }) => {
      await deleteTotp(caller, params.id, deps);
      return { deleted: true as const };
    },
  },
  options,
);
