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
import { createGroupHandler } from '../../shared/http/handler';
import { identityRoutes } from '../../shared/http/routes/identity';
import { httpRuntime } from '../../shared/http/runtime';

const { deps, options } = httpRuntime();
const view = (challenge: Parameters<typeof statusView>[0]) => {
  const { numberToMatch: _hidden, ...rest } = statusView(challenge, deps.clock.now());
  return { challenge: rest };
};

export const handler = createGroupHandler(
  'identity',
  identityRoutes,
  {
    listPendingIdentityChallenges: async ({ caller, device }) => ({
      items: await listPendingChallenges(caller, device, deps),
    }),
    getIdentityChallenge: async ({ caller, device, params }) => ({
      challenge: await getChallengeStatus(caller, device, params.id, deps),
    }),
    approveIdentityChallenge: async ({ caller, device, params, body }) =>
      view(await approveChallenge(caller, device, params.id, body.number, deps)),
    denyIdentityChallenge: async ({ caller, device, params, body }) =>
      view(await denyChallenge(caller, device, params.id, body?.report ?? false, deps)),
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
  },
  options,
);
