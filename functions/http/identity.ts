import {
  approveChallenge,
  confirmMagicLink,
  denyChallenge,
  describeMagicLink,
  emailMagicLink,
  getChallengeStatus,
  getIdentitySettings,
  issueScimToken,
  listPendingChallenges,
  resendPush,
  statusView,
  updateIdentitySettings,
} from '../../shared/domain/identity/use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { identityRoutes } from '../../shared/http/routes/identity';

const view = (challenge: Parameters<typeof statusView>[0], now: Date) => {
  const { numberToMatch: _hidden, ...rest } = statusView(challenge, now);
  return { challenge: rest };
};

export const handler = createLazyGroupHandler(
  'identity',
  identityRoutes,
  ({ deps }) => ({
    listPendingIdentityChallenges: async ({ caller, device }) => ({
      items: await listPendingChallenges(caller, device, deps),
    }),
    getIdentityChallenge: async ({ caller, device, params }) => ({
      challenge: await getChallengeStatus(caller, device, params.id, deps),
    }),
    approveIdentityChallenge: async ({ caller, device, params, body }) =>
      view(await approveChallenge(caller, device, params.id, body.number, deps), deps.clock.now()),
    denyIdentityChallenge: async ({ caller, device, params, body }) =>
      view(await denyChallenge(caller, device, params.id, body?.report ?? false, deps), deps.clock.now()),
    resendIdentityChallenge: async ({ caller, device, params }) => ({
      challenge: statusView(await resendPush(caller, device, params.id, deps), deps.clock.now()),
    }),
    emailIdentityChallenge: async ({ caller, device, params }) => ({
      challenge: statusView(await emailMagicLink(caller, device, params.id, deps), deps.clock.now()),
    }),
    describeMagicLink: async ({ params }) => ({ challenge: await describeMagicLink(params.token, deps) }),
    confirmMagicLink: async ({ params }) => ({ challenge: await confirmMagicLink(params.token, deps) }),
    getIdentityConfirmationSettings: async ({ caller }) => ({
      settings: await getIdentitySettings(caller, deps),
    }),
    updateIdentityConfirmationSettings: async ({ caller, body }) => ({
      settings: await updateIdentitySettings(caller, body, deps),
    }),
    issueScimToken: async ({ caller }) => issueScimToken(caller, deps),
  }),
  () => import('../../shared/runtime/http').then((runtime) => runtime.httpRuntime()),
);
