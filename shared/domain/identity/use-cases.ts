import { DeviceNotTrustedError } from '../devices/errors';
import { type Device, effectiveStatus } from '../devices/model';
import { digestsEqual } from '../devices/secrets';
import { sendNotice, withEmailReserved } from '../email-caps';
import { NotFoundError } from '../errors';
import { shouldDeliver, workspaceSettings } from '../notifications/policy';
import type {
  Clock,
  DeviceRepository,
  EmailQuota,
  Hmac,
  IdGenerator,
  Mailer,
  MailOutbox,
  NotificationSettingsRepository,
  Notifier,
  SecurityEvent,
  SecurityLog,
} from '../ports';
import type { User } from '../users/model';
import { actionOf, requiresConfirmation, resourceOf } from './actions';
import type { IdentityEmails } from './emails';
import {
  ChallengeExpiredError,
  ChallengeNotPendingError,
  type ChallengeSummary,
  EmailLimitReachedError,
  IdentityConfirmationRequiredError,
  InvalidIdentitySettingsError,
  LinkInvalidError,
  MethodNotAvailableError,
  NoConfirmationMethodError,
  PushLimitReachedError,
  RequestingDeviceAnswerError,
  TooManyChallengesError,
  WrongNumberError,
} from './errors';
import {
  addSeconds,
  type Challenge,
  type ChallengeStatus,
  type ConfirmationMethod,
  DEFAULT_IDENTITY_SETTINGS,
  IDENTITY_RULES,
  type IdentityRules,
  type IdentitySettings,
  identityHmacInput,
  laterOf,
  type MagicLink,
  newNumberChallenge,
  newToken,
  pushIsLive,
  REUSE_WINDOW_BOUNDS,
  SCIM_TOKEN_PREFIX,
  sameNumber,
  statusOf,
} from './model';
import type { ChallengeRepository } from './ports';

export interface IdentityDeps {
  challenges: ChallengeRepository;
  /** Per-user, per-purpose email caps (see `domain/email-caps.ts`). */
  emailQuota: EmailQuota;
  /** Whether identity_verification_request pushes reach the user: no push method when they do not. */
  notificationSettings: Pick<NotificationSettingsRepository, 'getWorkspaceSettings' | 'getPreferences'>;
  devices: Pick<DeviceRepository, 'listDevices' | 'getDevice'>;
  notifier: Notifier;
  mailer: Mailer;
  /** The magic link's email goes out with the write that stores the link's hash (outbox). */
  mailOutbox: MailOutbox;
  hmac: Hmac;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  identityEmails: IdentityEmails;
  /** Where magic links point (configuration, never the request's Host header). */
  webBaseUrl?: string | undefined;
  /** Overrides of IDENTITY_RULES (tests). */
  identityRules?: Partial<IdentityRules>;
}

function rules(deps: IdentityDeps): IdentityRules {
  return { ...IDENTITY_RULES, ...deps.identityRules };
}

function audit(deps: IdentityDeps, event: SecurityEvent & { action?: string; challengeId?: string }): void {
  deps.security.record(event);
}

export async function identitySettings(workspaceId: string, deps: IdentityDeps): Promise<IdentitySettings> {
  return { ...DEFAULT_IDENTITY_SETTINGS, ...(await deps.challenges.getSettings(workspaceId)) };
}

/** What the 403 carries: enough for the requesting screen, nothing the phone alone should know. */
export function summarize(challenge: Challenge): ChallengeSummary {
  return {
    id: challenge.id,
    action: challenge.action,
    methods: challenge.methods,
    expiresAt: challenge.expiresAt,
    ...(challenge.numberToMatch && challenge.methods.includes('push')
      ? { numberToMatch: challenge.numberToMatch }
      : {}),
  };
}

export interface ConfirmationInput {
  caller: User;
  device: Device | undefined;
  action: string;
  /** The route's validated path parameters. */
  params: unknown;
  /** The `X-Latchkey-Confirmation` header, if any. */
  presented: string | undefined;
  ip?: string | undefined;
}

/**
 * The identity-confirmation check of a route that declares an action: passes with a valid approved
 * challenge for this user, device, action and resource within the reuse window; otherwise answers
 * with the pending challenge (the same one while it lives, or a new one).
 */
export async function requireConfirmation(input: ConfirmationInput, deps: IdentityDeps): Promise<void> {
  const { caller, device, action } = input;
  const now = deps.clock.now();
  if (!device || effectiveStatus(device, now) !== 'trusted') {
    throw new DeviceNotTrustedError(device ? effectiveStatus(device, now) : 'unknown');
  }
  const definition = actionOf(action);
  const resource = resourceOf(action, input.params, caller.workspaceId);
  const base = { event: 'identity.confirmation_used', userId: caller.id, deviceId: device.id, action };
  if (input.presented) {
    const reason = await presentedProblem(input.presented, { caller, device, action, resource }, now, deps);
    if (!reason) {
      audit(deps, { ...base, outcome: 'success', challengeId: input.presented.slice(0, 64) });
      return;
    }
    audit(deps, { ...base, outcome: 'failure', reason });
  }
  // A setting-dependent action is checked only after the header: a valid approval always passes cheaply.
  const settings = await identitySettings(caller.workspaceId, deps);
  if (definition.onlyWhen && !requiresConfirmation(action, settings)) return;
  const challenge = await openChallenge({ caller, device, action, resource, ip: input.ip }, settings, deps);
  throw new IdentityConfirmationRequiredError(summarize(challenge));
}

async function presentedProblem(
  challengeId: string,
  bound: { caller: User; device: Device; action: string; resource: string },
  now: Date,
  deps: IdentityDeps,
): Promise<string | undefined> {
  if (!/^[\w-]{1,64}$/.test(challengeId)) return 'malformed';
  const challenge = await deps.challenges.getChallenge(bound.caller.id, challengeId);
  if (!challenge) return 'unknown';
  if (challenge.status !== 'approved') return `not_approved:${statusOf(challenge, now)}`;
  if (challenge.deviceId !== bound.device.id) return 'other_device';
  if (challenge.action !== bound.action) return 'other_action';
  if (challenge.resource !== bound.resource) return 'other_resource';
  if (!challenge.usableUntil || challenge.usableUntil <= now.toISOString()) return 'reuse_window_over';
  return undefined;
}

/**
 * The methods a challenge can offer now. Push needs a trusted phone other than the requesting device
 * (a push nobody may answer is not a method), the push type on for this user (workspace setting and
 * preference), and no report block.
 */
async function usableMethods(
  caller: User,
  requester: Device,
  settings: IdentitySettings,
  now: Date,
  deps: IdentityDeps,
): Promise<{ methods: ConfirmationMethod[]; pushBlocked: boolean; hasMobile: boolean; pushOff: boolean }> {
  const [devices, blockedUntil, workspace, preferences] = await Promise.all([
    deps.devices.listDevices(caller.id),
    deps.challenges.pushBlockedUntil(caller.id),
    deps.notificationSettings.getWorkspaceSettings(caller.workspaceId),
    deps.notificationSettings.getPreferences(caller.id),
  ]);
  const hasMobile = devices.some(
    (d) => d.id !== requester.id && d.clientType === 'mobile' && effectiveStatus(d, now) === 'trusted',
  );
  const pushBlocked = blockedUntil !== undefined && blockedUntil > now.toISOString();
  const pushOff = !shouldDeliver(
    workspaceSettings(workspace).identity_verification_request,
    preferences.identity_verification_request,
  );
  const methods = settings.methods.filter(
    (method) => method !== 'push' || (hasMobile && !pushBlocked && !pushOff),
  ) as ConfirmationMethod[];
  // The workspace default goes first: it is what the requesting screen offers first.
  methods.sort((a, b) => Number(b === settings.default) - Number(a === settings.default));
  return { methods, pushBlocked, hasMobile, pushOff };
}

function noMethodMessage(
  settings: IdentitySettings,
  found: { pushBlocked: boolean; hasMobile: boolean; pushOff: boolean },
) {
  const email = 'or ask a workspace admin to enable email magic links';
  if (!settings.methods.includes('push'))
    return 'No confirmation method is enabled: ask a workspace admin to enable one.';
  if (found.pushBlocked) {
    return `Push confirmation is blocked for an hour after a reported request: wait, ${email}.`;
  }
  if (found.pushOff) {
    return `Identity confirmation pushes are turned off for you: turn them on, ${email}.`;
  }
  return `Confirming your identity needs the Latchkey mobile app on a trusted device: set it up, ${email}.`;
}

async function openChallenge(
  request: { caller: User; device: Device; action: string; resource: string; ip?: string | undefined },
  settings: IdentitySettings,
  deps: IdentityDeps,
): Promise<Challenge> {
  const { caller, device, action, resource } = request;
  const limits = rules(deps);
  const now = deps.clock.now();
  const existing = await deps.challenges.findOpen(caller.id, device.id, action, resource);
  if (existing && statusOf(existing, now) === 'pending') return existing;

  const found = await usableMethods(caller, device, settings, now, deps);
  if (found.methods.length === 0) {
    audit(deps, {
      event: 'identity.challenge_issued',
      outcome: 'failure',
      reason: 'no_method',
      userId: caller.id,
      deviceId: device.id,
      action,
    });
    throw new NoConfirmationMethodError(noMethodMessage(settings, found));
  }
  const pushFirst = found.methods[0] === 'push';
  const numbers = found.methods.includes('push') ? newNumberChallenge() : undefined;
  const lifetime = pushFirst ? limits.pushLifetimeSeconds : limits.linkLifetimeSeconds;
  const challenge: Challenge = {
    id: deps.newId('idc'),
    userId: caller.id,
    workspaceId: caller.workspaceId,
    deviceId: device.id,
    action,
    resource,
    status: 'pending',
    methods: found.methods,
    requester: {
      deviceName: device.name,
      clientType: device.clientType,
      os: device.os,
      ...(device.browser ? { browser: device.browser } : {}),
      ...(request.ip ? { ip: request.ip } : {}),
    },
    ...(numbers ?? {}),
    pushesSent: pushFirst ? 1 : 0,
    ...(pushFirst ? { pushExpiresAt: addSeconds(now, limits.pushLifetimeSeconds).toISOString() } : {}),
    emailsSent: 0,
    createdAt: now.toISOString(),
    expiresAt: addSeconds(now, lifetime).toISOString(),
  };
  const outcome = await deps.challenges.create(
    challenge,
    { hourlyCap: limits.challengesPerUserPerHour, replacing: existing?.id },
    now,
  );
  if (outcome === 'hourly_cap') {
    const nextHour = Math.ceil((now.getTime() + 1) / 3_600_000) * 3_600_000;
    audit(deps, {
      event: 'identity.challenge_issued',
      outcome: 'failure',
      reason: 'hourly_cap',
      userId: caller.id,
      deviceId: device.id,
      action,
    });
    throw new TooManyChallengesError(Math.ceil((nextHour - now.getTime()) / 1000));
  }
  if (outcome === 'claimed') {
    // A concurrent request opened the challenge first: answer with that one.
    const winner = await deps.challenges.findOpen(caller.id, device.id, action, resource);
    if (winner && statusOf(winner, now) === 'pending') return winner;
    throw new Error('identity challenge claim changed concurrently');
  }
  audit(deps, {
    event: 'identity.challenge_issued',
    outcome: 'success',
    reason: found.methods.join(','),
    userId: caller.id,
    deviceId: device.id,
    action,
    challengeId: challenge.id,
  });
  if (pushFirst) await pushChallenge(deps, challenge);
  return challenge;
}

/** The push carries the candidates (the phone answers from the notification), never to the requester. */
async function pushChallenge(deps: IdentityDeps, challenge: Challenge, resend = false) {
  await deps.notifier.notify(
    'identity_verification_request',
    [challenge.userId],
    { challengeId: challenge.id, candidates: (challenge.candidates ?? []).join(',') },
    // A resend is asked for explicitly (at most 3 per challenge): it is not coalesced away.
    { excludeDeviceIds: [challenge.deviceId], ...(resend ? { coalesce: false } : {}) },
  );
}

async function ownChallenge(caller: User, challengeId: string, deps: IdentityDeps): Promise<Challenge> {
  const challenge = await deps.challenges.getChallenge(caller.id, challengeId);
  if (!challenge) throw new NotFoundError('No such confirmation request.');
  return challenge;
}

/** The requesting device's own challenge: any other device (or user) gets 404. */
async function requestedBy(caller: User, device: Device, challengeId: string, deps: IdentityDeps) {
  const challenge = await ownChallenge(caller, challengeId, deps);
  if (challenge.deviceId !== device.id) throw new NotFoundError('No such confirmation request.');
  return challenge;
}

export interface ChallengeStatusView extends ChallengeSummary {
  status: ChallengeStatus;
  reason?: string;
  usableUntil?: string;
}

export function statusView(challenge: Challenge, now: Date): ChallengeStatusView {
  const status = statusOf(challenge, now);
  return {
    ...summarize(challenge),
    ...(status === 'pending' ? {} : { numberToMatch: undefined }),
    status,
    ...(challenge.reason ? { reason: challenge.reason } : {}),
    ...(challenge.usableUntil && status === 'approved' ? { usableUntil: challenge.usableUntil } : {}),
  };
}

/** The requesting client polls its challenge. */
export async function getChallengeStatus(
  caller: User,
  device: Device,
  challengeId: string,
  deps: IdentityDeps,
) {
  const challenge = await requestedBy(caller, device, challengeId, deps);
  const view = statusView(challenge, deps.clock.now());
  if (view.numberToMatch === undefined) delete view.numberToMatch;
  return view;
}

/** Challenges this trusted phone can answer now (not its own), with what a person needs to decide. */
export async function listPendingChallenges(caller: User, device: Device, deps: IdentityDeps) {
  const now = deps.clock.now();
  return (await deps.challenges.listChallenges(caller.id))
    .filter((challenge) => pushIsLive(challenge, now) && challenge.deviceId !== device.id)
    .map((challenge) => ({
      id: challenge.id,
      action: challenge.action,
      actionLabel: actionOf(challenge.action).label,
      resource: challenge.resource,
      requestingDevice: { id: challenge.deviceId, ...challenge.requester },
      createdAt: challenge.createdAt,
      expiresAt: challenge.pushExpiresAt ?? challenge.expiresAt,
      candidates: challenge.candidates ?? [],
    }));
}

function refusal(challenge: Challenge | undefined, now: Date, requirePush: boolean): never {
  if (!challenge) throw new NotFoundError('No such confirmation request.');
  const status = statusOf(challenge, now);
  if (status === 'expired') throw new ChallengeExpiredError();
  if (status !== 'pending') throw new ChallengeNotPendingError(status);
  if (requirePush && !pushIsLive(challenge, now)) throw new ChallengeExpiredError();
  throw new ChallengeNotPendingError(status);
}

async function decide(
  caller: User,
  approver: Device,
  challenge: Challenge,
  decision: { status: 'approved' | 'denied'; reason?: string; requirePush: boolean; usableUntil?: string },
  deps: IdentityDeps,
): Promise<void> {
  const now = deps.clock.now();
  const outcome = await deps.challenges.decide(challenge, { ...decision, decidedBy: approver.id }, now);
  if (outcome === 'conflict') {
    refusal(await deps.challenges.getChallenge(caller.id, challenge.id), now, decision.requirePush);
  }
}

/** The device that asked never answers its own challenge (SECURITY.md "Push approvals"). */
function notTheRequester(challenge: Challenge, answering: Device): void {
  if (challenge.deviceId === answering.id) throw new RequestingDeviceAnswerError();
}

/** "It's me!": the right number approves; a wrong one denies. Answerable once. */
export async function approveChallenge(
  caller: User,
  approver: Device,
  challengeId: string,
  number: string,
  deps: IdentityDeps,
) {
  const now = deps.clock.now();
  const challenge = await ownChallenge(caller, challengeId, deps);
  const event = {
    event: 'identity.confirmed',
    userId: caller.id,
    deviceId: challenge.deviceId,
    actorDeviceId: approver.id,
    action: challenge.action,
    challengeId,
  };
  try {
    notTheRequester(challenge, approver);
    if (!challenge.methods.includes('push')) throw new MethodNotAvailableError('push');
    if (!pushIsLive(challenge, now)) refusal(challenge, now, true);
    if (!sameNumber(number, challenge.numberToMatch ?? '')) {
      await decide(
        caller,
        approver,
        challenge,
        { status: 'denied', reason: 'wrong_number', requirePush: true },
        deps,
      );
      audit(deps, { ...event, event: 'identity.denied', outcome: 'success', reason: 'wrong_number' });
      throw new WrongNumberError();
    }
    const settings = await identitySettings(caller.workspaceId, deps);
    const usableUntil = addSeconds(now, settings.reuseWindowSeconds).toISOString();
    await decide(caller, approver, challenge, { status: 'approved', requirePush: true, usableUntil }, deps);
    audit(deps, { ...event, outcome: 'success', reason: 'push' });
    return { ...challenge, status: 'approved' as const, usableUntil, decidedAt: now.toISOString() };
  } catch (error) {
    if (!(error instanceof WrongNumberError)) {
      audit(deps, { ...event, outcome: 'failure', reason: (error as Error).name });
    }
    throw error;
  }
}

/** Deny; with `report` also cancel the user's pending challenges, block push for an hour, alert admins. */
export async function denyChallenge(
  caller: User,
  approver: Device,
  challengeId: string,
  report: boolean,
  deps: IdentityDeps,
) {
  const limits = rules(deps);
  const now = deps.clock.now();
  const challenge = await ownChallenge(caller, challengeId, deps);
  const event = {
    event: report ? 'identity.reported' : 'identity.denied',
    userId: caller.id,
    deviceId: challenge.deviceId,
    actorDeviceId: approver.id,
    action: challenge.action,
    challengeId,
  };
  try {
    notTheRequester(challenge, approver);
    if (statusOf(challenge, now) !== 'pending') refusal(challenge, now, false);
    await decide(
      caller,
      approver,
      challenge,
      { status: 'denied', reason: report ? 'reported' : 'denied', requirePush: false },
      deps,
    );
  } catch (error) {
    audit(deps, { ...event, outcome: 'failure', reason: (error as Error).name });
    throw error;
  }
  audit(deps, { ...event, outcome: 'success' });
  if (report) {
    await deps.challenges.blockPush(caller.id, addSeconds(now, limits.reportBlockSeconds).toISOString(), now);
    for (const other of await deps.challenges.listChallenges(caller.id)) {
      if (other.id === challenge.id || statusOf(other, now) !== 'pending') continue;
      const outcome = await deps.challenges.decide(
        other,
        { status: 'denied', reason: 'cancelled', decidedBy: approver.id, requirePush: false },
        now,
      );
      if (outcome === 'applied') {
        audit(deps, {
          event: 'identity.denied',
          outcome: 'success',
          reason: 'cancelled',
          userId: caller.id,
          deviceId: other.deviceId,
          actorDeviceId: approver.id,
          action: other.action,
          challengeId: other.id,
        });
      }
    }
    const admins = await deps.challenges.workspaceAdmins(caller.workspaceId);
    for (const admin of admins) {
      const email = deps.identityEmails.reportAlert({
        to: admin.email,
        reporter: { email: caller.email, name: caller.name },
        actionLabel: actionOf(challenge.action).label,
        requester: challenge.requester,
        at: now,
      });
      await sendNotice(deps, admin.id, 'security_alert', email);
    }
  }
  return { ...challenge, status: 'denied' as const, reason: report ? 'reported' : 'denied' };
}

/** One more push for the requesting device's challenge: at most 3 per challenge, within its 2 minutes. */
export async function resendPush(caller: User, device: Device, challengeId: string, deps: IdentityDeps) {
  const limits = rules(deps);
  const now = deps.clock.now();
  const challenge = await requestedBy(caller, device, challengeId, deps);
  if (!challenge.methods.includes('push')) throw new MethodNotAvailableError('push');
  if (statusOf(challenge, now) !== 'pending') refusal(challenge, now, false);
  if (challenge.pushesSent >= limits.maxPushesPerChallenge) {
    throw new PushLimitReachedError(limits.maxPushesPerChallenge);
  }
  const pushExpiresAt = challenge.pushExpiresAt ?? addSeconds(now, limits.pushLifetimeSeconds).toISOString();
  if (
    (await deps.challenges.recordPush(challenge, limits.maxPushesPerChallenge, pushExpiresAt, now)) ===
    'conflict'
  ) {
    const current = await deps.challenges.getChallenge(caller.id, challengeId);
    if (
      current &&
      statusOf(current, now) === 'pending' &&
      current.pushesSent >= limits.maxPushesPerChallenge
    ) {
      throw new PushLimitReachedError(limits.maxPushesPerChallenge);
    }
    refusal(current, now, true);
  }
  await pushChallenge(deps, challenge, true);
  audit(deps, {
    event: 'identity.challenge_pushed',
    outcome: 'success',
    userId: caller.id,
    deviceId: device.id,
    action: challenge.action,
    challengeId,
  });
  const updated: Challenge = {
    ...challenge,
    pushesSent: challenge.pushesSent + 1,
    pushExpiresAt,
    expiresAt: laterOf(challenge.expiresAt, pushExpiresAt),
  };
  return updated;
}

function linkTo(deps: IdentityDeps, token: string): string {
  const base = deps.webBaseUrl;
  if (!base || !/^https?:\/\/[^/?#]+/i.test(base)) {
    throw new Error('WEB_BASE_URL is not configured: magic links cannot be built');
  }
  // The token travels in the fragment: browsers never send it to a server or in a Referer.
  return `${base.replace(/\/+$/, '')}/confirm#${token}`;
}

/** Emails a single-use link (10 minutes) to the caller; a newer link replaces the previous one. */
export async function emailMagicLink(caller: User, device: Device, challengeId: string, deps: IdentityDeps) {
  const limits = rules(deps);
  const now = deps.clock.now();
  const challenge = await requestedBy(caller, device, challengeId, deps);
  const event = {
    event: 'identity.link_issued',
    userId: caller.id,
    deviceId: device.id,
    action: challenge.action,
    challengeId,
  };
  if (!challenge.methods.includes('email_magic_link')) throw new MethodNotAvailableError('email_magic_link');
  if (statusOf(challenge, now) !== 'pending') refusal(challenge, now, false);
  if (challenge.emailsSent >= limits.maxEmailsPerChallenge) {
    audit(deps, { ...event, outcome: 'failure', reason: 'email_cap' });
    throw new EmailLimitReachedError(limits.maxEmailsPerChallenge);
  }
  const token = newToken();
  const link: MagicLink = {
    hash: await deps.hmac.digest(identityHmacInput.magicLink(token)),
    userId: caller.id,
    challengeId,
    expiresAt: addSeconds(now, limits.linkLifetimeSeconds).toISOString(),
  };
  // A refused write sends nothing, so it spends none of the user's hourly allowance.
  await withEmailReserved(deps, caller.id, 'magic_link', async () => {
    // The email (sealed: the link is in it) is written with the link's hash, in one transaction.
    const mail = await deps.mailOutbox.event(
      deps.identityEmails.magicLink({
        to: caller.email,
        link: linkTo(deps, token),
        actionLabel: actionOf(challenge.action).label,
        requester: challenge.requester,
        expiresInMinutes: Math.round(limits.linkLifetimeSeconds / 60),
      }),
    );
    const outcome = await deps.challenges.attachLink(challenge, link, limits.maxEmailsPerChallenge, now, [
      mail,
    ]);
    if (outcome === 'conflict') {
      const current = await deps.challenges.getChallenge(caller.id, challengeId);
      if (current && statusOf(current, now) === 'pending')
        throw new EmailLimitReachedError(limits.maxEmailsPerChallenge);
      refusal(current, now, false);
    }
  });
  audit(deps, { ...event, outcome: 'success' });
  return {
    ...challenge,
    expiresAt: laterOf(challenge.expiresAt, link.expiresAt),
    linkExpiresAt: link.expiresAt,
  };
}

/** The link and its challenge, if both are still live and the link is the challenge's current one. */
async function liveLink(token: string, deps: IdentityDeps) {
  const now = deps.clock.now();
  if (!/^[\w-]{20,100}$/.test(token)) throw new LinkInvalidError();
  const hash = await deps.hmac.digest(identityHmacInput.magicLink(token));
  const link = await deps.challenges.getLink(hash);
  if (!link || link.usedAt || link.expiresAt <= now.toISOString()) throw new LinkInvalidError();
  const challenge = await deps.challenges.getChallenge(link.userId, link.challengeId);
  if (
    !challenge ||
    statusOf(challenge, now) !== 'pending' ||
    !challenge.linkHash ||
    !digestsEqual(challenge.linkHash, link.hash)
  ) {
    throw new LinkInvalidError();
  }
  return { link, challenge, now };
}

/** GET of the link: describes the challenge and changes nothing (mail scanners open links). */
export async function describeMagicLink(token: string, deps: IdentityDeps) {
  const { link, challenge } = await liveLink(token, deps);
  return {
    action: challenge.action,
    actionLabel: actionOf(challenge.action).label,
    resource: challenge.resource,
    requestingDevice: challenge.requester,
    createdAt: challenge.createdAt,
    expiresAt: link.expiresAt,
  };
}

/** POST from the confirmation page: uses the link and approves exactly its challenge. No session. */
export async function confirmMagicLink(token: string, deps: IdentityDeps) {
  let found: Awaited<ReturnType<typeof liveLink>>;
  try {
    found = await liveLink(token, deps);
  } catch (error) {
    audit(deps, {
      event: 'identity.confirmed',
      outcome: 'failure',
      reason: 'link_invalid',
      userId: 'unknown',
    });
    throw error;
  }
  const { link, challenge, now } = found;
  const settings = await identitySettings(challenge.workspaceId, deps);
  const usableUntil = addSeconds(now, settings.reuseWindowSeconds).toISOString();
  const event = {
    event: 'identity.confirmed',
    userId: challenge.userId,
    deviceId: challenge.deviceId,
    action: challenge.action,
    challengeId: challenge.id,
  };
  if ((await deps.challenges.consumeLink(link, usableUntil, now)) === 'conflict') {
    audit(deps, { ...event, outcome: 'failure', reason: 'link_invalid' });
    throw new LinkInvalidError();
  }
  audit(deps, { ...event, outcome: 'success', reason: 'email_magic_link' });
  return { id: challenge.id, action: challenge.action, status: 'approved' as const };
}

export async function getIdentitySettings(caller: User, deps: IdentityDeps) {
  return identitySettings(caller.workspaceId, deps);
}

export async function updateIdentitySettings(
  caller: User,
  changes: Partial<IdentitySettings>,
  deps: IdentityDeps,
): Promise<IdentitySettings> {
  const current = await identitySettings(caller.workspaceId, deps);
  const next: IdentitySettings = {
    methods: changes.methods ? [...new Set(changes.methods)] : current.methods,
    default: changes.default ?? current.default,
    reuseWindowSeconds: changes.reuseWindowSeconds ?? current.reuseWindowSeconds,
    confirmSecretViews: changes.confirmSecretViews ?? current.confirmSecretViews,
  };
  if (next.methods.length === 0) throw new InvalidIdentitySettingsError('Enable at least one method.');
  if (!next.methods.includes(next.default)) {
    // Dropping the default method moves the default to what is left, unless a default was asked for.
    if (changes.default)
      throw new InvalidIdentitySettingsError('The default method must be one of the methods.');
    next.default = next.methods[0] as ConfirmationMethod;
  }
  if (
    !Number.isInteger(next.reuseWindowSeconds) ||
    next.reuseWindowSeconds < REUSE_WINDOW_BOUNDS.min ||
    next.reuseWindowSeconds > REUSE_WINDOW_BOUNDS.max
  ) {
    throw new InvalidIdentitySettingsError(
      `reuseWindowSeconds must be between ${REUSE_WINDOW_BOUNDS.min} and ${REUSE_WINDOW_BOUNDS.max}.`,
    );
  }
  await deps.challenges.putSettings(caller.workspaceId, next, deps.clock.now());
  audit(deps, { event: 'identity.settings_changed', outcome: 'success', userId: caller.id });
  return next;
}

/** A new SCIM bearer token (256 bits), returned once, stored as HMAC; the previous one stops working. */
export async function issueScimToken(caller: User, deps: IdentityDeps) {
  const now = deps.clock.now();
  const secret = newToken();
  const hash = await deps.hmac.digest(identityHmacInput.scimToken(caller.workspaceId, secret));
  await deps.challenges.putScimToken(caller.workspaceId, hash, caller.id, now);
  audit(deps, { event: 'scim_token.issued', outcome: 'success', userId: caller.id });
  return { token: `${SCIM_TOKEN_PREFIX}${caller.workspaceId}.${secret}`, createdAt: now.toISOString() };
}
