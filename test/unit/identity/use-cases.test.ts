import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../../shared/adapters/crypto/hmac';
import { DeviceNotTrustedError } from '../../../shared/domain/devices/errors';
import type { Device } from '../../../shared/domain/devices/model';
import { defaultIdentityEmails } from '../../../shared/domain/identity/emails';
import {
  ChallengeNotPendingError,
  EmailLimitReachedError,
  IdentityConfirmationRequiredError,
  LinkInvalidError,
  NoConfirmationMethodError,
  RequestingDeviceAnswerError,
  TooManyChallengesError,
  WrongNumberError,
} from '../../../shared/domain/identity/errors';
import { identityHmacInput } from '../../../shared/domain/identity/model';
import {
  approveChallenge,
  confirmMagicLink,
  denyChallenge,
  describeMagicLink,
  emailMagicLink,
  type IdentityDeps,
  requireConfirmation,
  updateIdentitySettings,
} from '../../../shared/domain/identity/use-cases';
import type { StoredWorkspaceSettings } from '../../../shared/domain/notifications/policy';
import type { SecurityEvent } from '../../../shared/domain/ports';
import { createGroupHandler } from '../../../shared/http/handler';
import { confirmationCheck } from '../../../shared/http/identity-confirmation';
import { routesOfGroup } from '../../../shared/http/routes';
import { identityRoutes } from '../../../shared/http/routes/identity';
import { aDevice, aUser, fixedClock, mailOnCommit, sequentialIds } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/http-event';
import { fakeChallengeRepository } from './fake-challenges';

const web = aDevice({ id: 'dev_web' });
const phone = aDevice({ id: 'dev_phone', clientType: 'mobile', os: 'iOS', name: 'alice - iOS' });
const alice = aUser();

function setup(options: { devices?: Device[]; workspaceNotifications?: StoredWorkspaceSettings } = {}) {
  const clock = fixedClock('2026-11-23T12:00:00.000Z');
  const fake = fakeChallengeRepository([alice]);
  const events: SecurityEvent[] = [];
  // Magic links go out through the outbox: an email counts once the write that carries it commits.
  const { emails, mailOutbox, deliverFrom } = mailOnCommit();
  const pushes: Array<{ type: string; recipients: string[]; payload: Record<string, string> }> = [];
  const devices = options.devices ?? [web, phone];
  const pushOptions: unknown[] = [];
  const quota = new Map<string, number>();
  const deps: IdentityDeps = {
    challenges: deliverFrom(fake.repository, ['attachLink']),
    mailOutbox,
    emailQuota: {
      take: async (userId, purpose, cap, hour) => {
        const key = `${userId}/${purpose}/${hour}`;
        if ((quota.get(key) ?? 0) >= cap) return false;
        quota.set(key, (quota.get(key) ?? 0) + 1);
        return true;
      },
      release: async (userId, purpose, hour) => {
        const key = `${userId}/${purpose}/${hour}`;
        quota.set(key, Math.max(0, (quota.get(key) ?? 0) - 1));
      },
    },
    notificationSettings: {
      getWorkspaceSettings: async () => options.workspaceNotifications ?? {},
      getPreferences: async () => ({}),
    },
    devices: {
      listDevices: async () => devices,
      getDevice: async (_userId, id) => devices.find((d) => d.id === id),
    },
    notifier: {
      notify: async (type, recipients, payload, notifyOptions) => {
        pushes.push({ type, recipients, payload });
        pushOptions.push(notifyOptions);
      },
    },
    mailer: {
      send: async (email) => {
        emails.push(email);
        return { messageId: `m${emails.length}` };
      },
    },
    hmac: makeHmac(async () => Buffer.alloc(32, 3)),
    clock,
    newId: sequentialIds(),
    security: { record: (event) => void events.push(event) },
    identityEmails: defaultIdentityEmails,
    webBaseUrl: 'https://app.latchkey.test/',
  };
  const ask = async (input: { action?: string; params?: unknown; device?: Device; presented?: string }) => {
    try {
      await requireConfirmation(
        {
          caller: alice,
          device: input.device ?? web,
          action: input.action ?? 'password.view',
          params: input.params ?? { id: 'acc_1' },
          presented: input.presented,
          ip: '203.0.113.9',
        },
        deps,
      );
      return undefined;
    } catch (error) {
      if (error instanceof IdentityConfirmationRequiredError) {
        return error.details.challenge as { id: string; numberToMatch?: string; methods: string[] };
      }
      throw error;
    }
  };
  const approved = async (input: Parameters<typeof ask>[0] = {}) => {
    const challenge = await ask(input);
    if (!challenge?.numberToMatch) throw new Error('no challenge');
    await approveChallenge(alice, phone, challenge.id, challenge.numberToMatch, deps);
    return challenge;
  };
  return { deps, fake, clock, events, emails, pushes, pushOptions, ask, approved };
}

describe('requireConfirmation', () => {
  it('answers with a push challenge bound to the request, and the same one while it is pending', async () => {
    const { ask, pushes, fake } = setup();

    const first = await ask({});
    const second = await ask({});

    expect(first).toMatchObject({ methods: ['push'], numberToMatch: expect.stringMatching(/^\d{2}$/) });
    expect(second).toEqual(first);
    const stored = fake.challenges.get(`${alice.id}/${first?.id}`);
    expect(pushes).toEqual([
      {
        type: 'identity_verification_request',
        recipients: [alice.id],
        payload: { challengeId: first?.id, candidates: stored?.candidates?.join(',') },
      },
    ]);
    expect(stored?.candidates).toContain(first?.numberToMatch);
    expect(fake.challenges.get(`${alice.id}/${first?.id}`)).toMatchObject({
      deviceId: web.id,
      action: 'password.view',
      resource: 'id=acc_1',
      requester: { ip: '203.0.113.9', os: 'macOS' },
    });
  });

  it('passes an approved challenge for the same user, device, action and resource only', async () => {
    const { ask, approved } = setup();
    const challenge = await approved();

    expect(await ask({ presented: challenge.id })).toBeUndefined();
    expect((await ask({ presented: challenge.id, action: 'app.remove' }))?.id).not.toBe(challenge.id);
    expect((await ask({ presented: challenge.id, params: { id: 'acc_2' } }))?.id).not.toBe(challenge.id);
    const otherDevice = aDevice({ id: 'dev_other' });
    expect((await ask({ presented: challenge.id, device: otherDevice }))?.id).not.toBe(challenge.id);
  });

  it('stops passing after the reuse window', async () => {
    const { ask, approved, clock } = setup();
    const challenge = await approved();

    clock.set('2026-11-23T12:04:59.000Z');
    const within = await ask({ presented: challenge.id });
    clock.set('2026-11-23T12:05:00.000Z');
    const after = await ask({ presented: challenge.id });

    expect(within).toBeUndefined();
    expect(after?.id).not.toBe(challenge.id);
  });

  it('refuses a device that is no longer trusted, even with an approved challenge', async () => {
    const { ask, approved } = setup();
    const challenge = await approved();

    await expect(
      ask({ presented: challenge.id, device: { ...web, status: 'disabled' } }),
    ).rejects.toBeInstanceOf(DeviceNotTrustedError);
  });

  it('confirms secret views only when the workspace setting is on', async () => {
    const { ask, deps } = setup();

    const off = await ask({ action: 'secret.view' });
    await updateIdentitySettings(alice, { confirmSecretViews: true }, deps);
    const on = await ask({ action: 'secret.view' });

    expect(off).toBeUndefined();
    expect(on?.id).toBeDefined();
  });

  it('offers email only without a trusted phone, and no method at all when email is off', async () => {
    const { ask, deps } = setup({ devices: [web] });

    await expect(ask({})).rejects.toBeInstanceOf(NoConfirmationMethodError);
    await updateIdentitySettings(alice, { methods: ['push', 'email_magic_link'] }, deps);
    const challenge = await ask({});

    expect(challenge).toMatchObject({ methods: ['email_magic_link'] });
    expect(challenge?.numberToMatch).toBeUndefined();
  });

  it('caps challenges at 10 per user per hour', async () => {
    const { ask, deps } = setup();
    for (let i = 0; i < 10; i++) await ask({ params: { id: `acc_${i}` } });

    await expect(ask({ params: { id: 'acc_10' } })).rejects.toBeInstanceOf(TooManyChallengesError);
    await expect(deps.challenges.listChallenges(alice.id)).resolves.toHaveLength(10);
  });
});

describe('answers from the phone', () => {
  it('denies on a wrong number, and nothing answers it afterwards', async () => {
    const { ask, deps, events } = setup();
    const challenge = await ask({});
    const wrong = challenge?.numberToMatch === '42' ? '43' : '42';

    await expect(approveChallenge(alice, phone, challenge?.id ?? '', wrong, deps)).rejects.toBeInstanceOf(
      WrongNumberError,
    );
    await expect(
      approveChallenge(alice, phone, challenge?.id ?? '', challenge?.numberToMatch ?? '', deps),
    ).rejects.toBeInstanceOf(ChallengeNotPendingError);
    expect(events.map((e) => [e.event, e.outcome, e.reason])).toContainEqual([
      'identity.denied',
      'success',
      'wrong_number',
    ]);
  });

  it('deny and report cancels pending challenges, blocks push for an hour and mails the admins', async () => {
    const { ask, deps, fake, emails } = setup();
    const one = await ask({});
    const two = await ask({ params: { id: 'acc_2' } });

    await denyChallenge(alice, phone, one?.id ?? '', true, deps);

    expect(fake.challenges.get(`${alice.id}/${two?.id}`)).toMatchObject({
      status: 'denied',
      reason: 'cancelled',
    });
    expect(fake.blocks.get(alice.id)).toBe('2026-11-23T13:00:00.000Z');
    expect(emails.map((e) => [e.to, e.subject])).toEqual([
      [alice.email, 'Latchkey: an identity confirmation was reported as suspicious'],
    ]);
    await expect(ask({ params: { id: 'acc_3' } })).rejects.toThrow(/blocked/);
  });
});

describe('email magic link', () => {
  it('mails a link on the configured base URL, stores only its HMAC, and is single use', async () => {
    const { ask, deps, fake, emails, events } = setup();
    await updateIdentitySettings(alice, { methods: ['push', 'email_magic_link'] }, deps);
    const challenge = await ask({});

    await emailMagicLink(alice, web, challenge?.id ?? '', deps);
    const token = /https:\/\/app\.latchkey\.test\/confirm#([\w-]{43})/.exec(emails[0]?.text ?? '')?.[1] ?? '';
    const described = await describeMagicLink(token, deps);
    await describeMagicLink(token, deps);
    const confirmed = await confirmMagicLink(token, deps);

    expect(emails[0]?.subject).toBe('Action required: Confirm your identity');
    expect([...fake.links.keys()]).toEqual([await deps.hmac.digest(identityHmacInput.magicLink(token))]);
    expect(JSON.stringify([...fake.links.values(), ...fake.challenges.values()])).not.toContain(token);
    expect(described).toMatchObject({ action: 'password.view', requestingDevice: { os: 'macOS' } });
    expect(confirmed).toEqual({ id: challenge?.id, action: 'password.view', status: 'approved' });
    await expect(confirmMagicLink(token, deps)).rejects.toBeInstanceOf(LinkInvalidError);
    await expect(describeMagicLink(token, deps)).rejects.toBeInstanceOf(LinkInvalidError);
    expect(await ask({ presented: challenge?.id })).toBeUndefined();
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('sends nothing and gives the hourly email allowance back when the link write is refused', async () => {
    const { ask, deps, emails, clock } = setup();
    await updateIdentitySettings(alice, { methods: ['push', 'email_magic_link'] }, deps);
    const challenge = await ask({});
    // Another request changed the challenge between the read and the write.
    const refusing = {
      ...deps,
      challenges: { ...deps.challenges, attachLink: async () => 'conflict' as const },
    };

    await expect(emailMagicLink(alice, web, challenge?.id ?? '', refusing)).rejects.toBeInstanceOf(
      EmailLimitReachedError,
    );

    const hour = Math.floor(clock.now().getTime() / 3_600_000);
    expect(emails).toEqual([]);
    // Had the refused email been counted, a cap of one would already be spent.
    expect(await deps.emailQuota.take(alice.id, 'magic_link', 1, hour)).toBe(true);
  });

  it('gives one generic error to unknown, malformed and replaced links', async () => {
    const { ask, deps, emails } = setup();
    await updateIdentitySettings(alice, { methods: ['push', 'email_magic_link'] }, deps);
    const challenge = await ask({});
    await emailMagicLink(alice, web, challenge?.id ?? '', deps);
    await emailMagicLink(alice, web, challenge?.id ?? '', deps);
    const [first, second] = emails.map((e) => /confirm#([\w-]+)/.exec(e.text)?.[1] ?? '');

    await expect(confirmMagicLink(first ?? '', deps)).rejects.toBeInstanceOf(LinkInvalidError);
    await expect(confirmMagicLink('x'.repeat(43), deps)).rejects.toBeInstanceOf(LinkInvalidError);
    await expect(confirmMagicLink('not a token', deps)).rejects.toBeInstanceOf(LinkInvalidError);
    await expect(confirmMagicLink(second ?? '', deps)).resolves.toMatchObject({ status: 'approved' });
  });
});

describe('the identity-confirmation middleware', () => {
  it('answers 403 identity_confirmation_required on a confirmed route, then runs it with the header', async () => {
    const { deps } = setup();
    let ran = 0;
    const handler = createGroupHandler(
      'identity',
      identityRoutes,
      {
        ...Object.fromEntries(routesOfGroup('identity').map((route) => [route.id, async () => ({})])),
        issueScimToken: async () => {
          ran++;
          return { token: 'ws_1.t', createdAt: '2026-11-23T12:00:00.000Z' };
        },
      } as never,
      {
        resolveCaller: async () => alice,
        authenticateDevice: async () => web,
        confirm: confirmationCheck(deps),
        now: () => deps.clock.now(),
      },
    );
    const invoke = async (headers: Record<string, string> = {}) => {
      const result = await handler(
        httpEvent({
          routeKey: 'POST /v1/workspace/scim-token',
          headers: { 'x-latchkey-device': 'c', ...headers },
        }),
        lambdaContext() as never,
      );
      return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
    };

    const refused = await invoke();
    const challenge = refused.body.challenge;
    await approveChallenge(alice, phone, challenge.id, challenge.numberToMatch, deps);
    const passed = await invoke({ 'x-latchkey-confirmation': challenge.id });

    expect(refused).toMatchObject({
      status: 403,
      body: {
        error: 'identity_confirmation_required',
        challenge: {
          action: 'scim_token.retrieve',
          methods: ['push'],
          expiresAt: '2026-11-23T12:02:00.000Z',
        },
      },
    });
    expect(passed.status).toBe(201);
    expect(ran).toBe(1);
  });
});

describe('the requesting device never answers its own challenge', () => {
  const tablet = aDevice({ id: 'dev_tablet', clientType: 'mobile', os: 'iPadOS', name: 'alice - iPadOS' });

  it('offers no push when the only trusted phone is the one asking', async () => {
    const { ask, pushes } = setup();

    await expect(ask({ device: phone })).rejects.toBeInstanceOf(NoConfirmationMethodError);
    expect(pushes).toEqual([]);
  });

  it('pushes to the other phones only, and refuses the requester’s answer', async () => {
    const { ask, deps, pushOptions } = setup({ devices: [web, phone, tablet] });

    const challenge = await ask({ device: phone });
    const own = approveChallenge(alice, phone, challenge?.id ?? '', challenge?.numberToMatch ?? '', deps);
    const ownDeny = denyChallenge(alice, phone, challenge?.id ?? '', true, deps);

    await expect(own).rejects.toBeInstanceOf(RequestingDeviceAnswerError);
    await expect(ownDeny).rejects.toBeInstanceOf(RequestingDeviceAnswerError);
    expect(pushOptions).toEqual([{ excludeDeviceIds: [phone.id] }]);
    await expect(
      approveChallenge(alice, tablet, challenge?.id ?? '', challenge?.numberToMatch ?? '', deps),
    ).resolves.toMatchObject({ status: 'approved' });
  });

  it('offers no push when the workspace turned identity_verification_request off', async () => {
    const { ask, deps } = setup({
      workspaceNotifications: { identity_verification_request: { enabled: false, enforced: false } },
    });
    await updateIdentitySettings(alice, { methods: ['push', 'email_magic_link'] }, deps);

    const challenge = await ask({});

    expect(challenge?.methods).toEqual(['email_magic_link']);
    expect(challenge?.numberToMatch).toBeUndefined();
  });
});
