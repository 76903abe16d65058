import {
  createAccount,
  listAccountInbox,
  listAccounts,
  listInbox,
  listMembers,
  provisionEmail,
  putMember,
  recordLoginResult,
  releaseEmail,
  removeMember,
  requireMember,
  securityLevel,
  updateAccount,
  viewPassword,
} from '../../shared/domain/accounts/use-cases';
import { toAccountView, toMemberView } from '../../shared/http/account-views';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { ownerFirst } from '../../shared/http/owner-first';
import { accountsRoutes } from '../../shared/http/routes/accounts';

export const handler = createLazyGroupHandler(
  'accounts',
  accountsRoutes,
  ({ accountDeps: deps }) => ({
    createAccount: async ({ caller, body }) => ({
      account: toAccountView(await createAccount(caller, body, deps), 'owner'),
    }),
    listAccounts: async ({ caller, query }) => {
      const page = await listAccounts(caller, { limit: query.limit ?? 50, cursor: query.cursor }, deps);
      return {
        items: page.items.map((item) => toAccountView(item.account, item.role)),
        nextCursor: page.nextCursor,
      };
    },
    getAccount: async ({ caller, params }) => {
      const { account, membership } = await requireMember(caller, params.id, deps);
      return { account: toAccountView(account, membership.role) };
    },
    updateAccount: async ({ caller, params, body }) => ({
      account: toAccountView(await updateAccount(caller, params.id, body, deps), 'owner'),
    }),
    viewPassword: async ({ caller, params }) => ({ password: await viewPassword(caller, params.id, deps) }),
    listMembers: async ({ caller, params }) => ({
      items: (await listMembers(caller, params.id, deps)).map(toMemberView),
      nextCursor: null,
    }),
    putMember: async ({ caller, params, body }) => ({
      member: toMemberView(await putMember(caller, params.id, params.userId, body.role, deps)),
    }),
    removeMember: async ({ caller, params }) => {
      await removeMember(caller, params.id, params.userId, deps);
      return { deleted: true as const };
    },
    provisionEmail: async ({ caller, params }) => ({
      emailAddress: await provisionEmail(caller, params.id, deps),
    }),
    releaseEmail: async ({ caller, params }) => {
      await releaseEmail(caller, params.id, deps);
      return { deleted: true as const };
    },
    recordLoginResult: async ({ caller, params, body }) => ({
      loginResult: await recordLoginResult(caller, params.id, body, deps),
    }),
    getSecurityLevel: async ({ caller, params }) => securityLevel(caller, params.id, deps),
    listAccountInbox: async ({ caller, params, query }) =>
      listAccountInbox(caller, params.id, { limit: query.limit ?? 50, cursor: query.cursor }, deps),
    listInbox: async ({ caller, query }) =>
      listInbox(caller, { limit: query.limit ?? 50, cursor: query.cursor }, deps),
  }),
  async () => {
    const runtime = (await import('../../shared/runtime/accounts')).accountsRuntime();
    const { accountDeps: deps, options } = runtime;
    return { ...runtime, options: { ...options, confirm: ownerFirst(options.confirm, deps) } };
  },
);
