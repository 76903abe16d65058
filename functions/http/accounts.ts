import { ENV, optionalEnv } from '../../shared/config/env';
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
import {
  issueLoginGrant,
  pollGrantCode,
  reportUnrecognizedLogin,
} from '../../shared/domain/logins/use-cases';
import { APP_CATALOGUE, withDemoBaseUrl } from '../../shared/domain/rotation/apps';
import {
  getRotation,
  getRotationPolicy,
  getWorkspaceRotationPolicy,
  listPasswordHistory,
  listRotations,
  putRotationPolicy,
  putWorkspaceRotationPolicy,
  startMfaEnrollment,
  startRotation,
  viewPasswordVersion,
} from '../../shared/domain/rotation/use-cases';
import { deleteAppWebhook, getAppWebhook, putAppWebhook } from '../../shared/domain/rotation/webhooks';
import { toAccountViews, toMemberView, toOneAccountView } from '../../shared/http/account-views';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { ownerFirst } from '../../shared/http/owner-first';
import { toRotationView, toVersionView } from '../../shared/http/rotation-views';
import { accountsRoutes } from '../../shared/http/routes/accounts';
import { rotationRoutes } from '../../shared/http/routes/rotation';

const sourceIp = (event: { requestContext?: { http?: { sourceIp?: string } } }) =>
  event.requestContext?.http?.sourceIp ?? 'unknown';
const demoAppUrl = optionalEnv(ENV.demoAppUrl);

export const handler = createLazyGroupHandler(
  'accounts',
  { ...accountsRoutes, ...rotationRoutes },
  ({ accountDeps: deps, rotationDeps, webhookDeps, webhookDeps: { webhooks } }) => ({
    createAccount: async ({ caller, body }) => ({
      account: await toOneAccountView(await createAccount(caller, body, deps), 'owner', webhooks),
    }),
    listAccounts: async ({ caller, query }) => {
      const page = await listAccounts(caller, { limit: query.limit ?? 50, cursor: query.cursor }, deps);
      return {
        items: await toAccountViews(caller.workspaceId, page.items, webhooks),
        nextCursor: page.nextCursor,
      };
    },
    getAccount: async ({ caller, params }) => {
      const { account, membership } = await requireMember(caller, params.id, deps);
      return { account: await toOneAccountView(account, membership.role, webhooks) };
    },
    updateAccount: async ({ caller, params, body }) => ({
      account: await toOneAccountView(await updateAccount(caller, params.id, body, deps), 'owner', webhooks),
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
    createLoginGrant: async ({ caller, device, params, event }) => ({
      grant: await issueLoginGrant(caller, device, params.id, sourceIp(event), deps),
    }),
    getLoginGrantCode: async ({ caller, device, params, query }) =>
      pollGrantCode(caller, device, params.id, params.grantId, query.from, deps),
    reportUnrecognizedLogin: async ({ caller, device, params }) => {
      const { grant, device: disabled } = await reportUnrecognizedLogin(
        caller,
        device,
        params.id,
        params.grantId,
        deps,
      );
      return {
        grant: { id: grant.id, reportedAt: grant.reportedAt ?? '' },
        device: { id: disabled.id, status: disabled.status },
      };
    },
    getSecurityLevel: async ({ caller, params }) => securityLevel(caller, params.id, deps),
    listAccountInbox: async ({ caller, params, query }) =>
      listAccountInbox(caller, params.id, { limit: query.limit ?? 50, cursor: query.cursor }, deps),
    listInbox: async ({ caller, query }) =>
      listInbox(caller, { limit: query.limit ?? 50, cursor: query.cursor }, deps),
    listApps: async () => ({
      items: APP_CATALOGUE.map((app) => {
        const { connector: _connector, ...listed } = withDemoBaseUrl(app, demoAppUrl);
        return listed;
      }),
      nextCursor: null,
    }),
    getAppWebhook: async ({ caller, params }) => ({
      webhook: await getAppWebhook(caller, params.appId, webhookDeps),
    }),
    putAppWebhook: async ({ caller, params, body }) => putAppWebhook(caller, params.appId, body, webhookDeps),
    deleteAppWebhook: async ({ caller, params }) => {
      await deleteAppWebhook(caller, params.appId, webhookDeps);
      return { deleted: true as const };
    },
    startRotation: async ({ caller, params }) => ({
      rotation: toRotationView(await startRotation(caller, params.id, rotationDeps)),
    }),
    listRotations: async ({ caller, params }) => ({
      items: (await listRotations(caller, params.id, rotationDeps)).map(toRotationView),
      nextCursor: null,
    }),
    getRotation: async ({ caller, params }) => ({
      rotation: toRotationView(await getRotation(caller, params.id, params.rotationId, rotationDeps)),
    }),
    listPasswordHistory: async ({ caller, params }) => ({
      items: (await listPasswordHistory(caller, params.id, rotationDeps)).map(toVersionView),
      nextCursor: null,
    }),
    viewPasswordVersion: async ({ caller, params }) => ({
      version: params.version,
      password: await viewPasswordVersion(caller, params.id, params.version, rotationDeps),
    }),
    getRotationPolicy: async ({ caller, params }) => getRotationPolicy(caller, params.id, rotationDeps),
    putRotationPolicy: async ({ caller, params, body }) =>
      putRotationPolicy(caller, params.id, body, rotationDeps),
    getWorkspaceRotationPolicy: async ({ caller }) => getWorkspaceRotationPolicy(caller, rotationDeps),
    putWorkspaceRotationPolicy: async ({ caller, body }) =>
      putWorkspaceRotationPolicy(caller, body, rotationDeps),
    startMfaEnrollment: async ({ caller, params }) => ({
      rotation: toRotationView(await startMfaEnrollment(caller, params.id, rotationDeps)),
    }),
  }),
  async () => {
    const runtime = (await import('../../shared/runtime/accounts')).accountsRuntime();
    const { accountDeps: deps, options } = runtime;
    return { ...runtime, options: { ...options, confirm: ownerFirst(options.confirm, deps) } };
  },
);
