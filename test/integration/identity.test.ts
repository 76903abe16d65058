import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { makeChallengeRepository } from '../../shared/adapters/dynamodb/challenge-repository';
import { makeEmailQuota } from '../../shared/adapters/dynamodb/email-quota';
import { newId } from '../../shared/adapters/ids';
import { defaultIdentityEmails } from '../../shared/domain/identity/emails';
import {
  ChallengeExpiredError,
  ChallengeNotPendingError,
  IdentityConfirmationRequiredError,
  LinkInvalidError,
  TooManyChallengesError,
  WrongNumberError,
} from '../../shared/domain/identity/errors';
import {
  approveChallenge,
  confirmMagicLink,
  denyChallenge,
  emailMagicLink,
  getChallengeStatus,
  type IdentityDeps,
  requireConfirmation,
  updateIdentitySettings,
} from '../../shared/domain/identity/use-cases';
import type { SecurityEvent } from '../../shared/domain/ports';
import { aDevice, aUser, fixedClock, mailOnCommit } from '../support/fakes';
import { localTable, unique } from './dynamo';

const { doc, tableName } = localTable();

function setup() {
  const clock = fixedClock('2026-11-23T10:00:00.000Z');
  const user = aUser({ id: unique('usr'), workspaceId: unique('ws') });
  const web = aDevice({ id: unique('dev'), userId: user.id, workspaceId: user.workspaceId });
  const phone = aDevice({
    id: unique('dev'),
    userId: user.id,
    workspaceId: user.workspaceId,
    clientType: 'mobile',
    os: 'Android',
  });
  // Magic links go out through the outbox: an email counts once the write that carries it commits.
  const { emails, mailOutbox, deliverFrom } = mailOnCommit();
  const events: SecurityEvent[] = [];
  const deps: IdentityDeps = {
    challenges: deliverFrom(makeChallengeRepository(doc, tableName), ['attachLink']),
    mailOutbox,
    emailQuota: makeEmailQuota(doc, tableName),
    notificationSettings: { getWorkspaceSettings: async () => ({}), getPreferences: async () => ({}) },
    devices: { listDevices: async () => [web, phone], getDevice: async () => undefined },
    notifier: { notify: async () => undefined },
    mailer: {
      send: async (email) => {
        emails.push(email);
        return { messageId: `m${emails.length}` };
      },
    },
    hmac: makeHmac(async () => Buffer.alloc(32, 5)),
    clock,
    newId,
    security: { record: (event) => void events.push(event) },
    identityEmails: defaultIdentityEmails,
    webBaseUrl: 'http://localhost:5173',
  };
  const ask = async (resource = 'acc_1') => {
    try {
      await requireConfirmation(
        {
          caller: user,
          device: web,
          action: 'password.view',
          params: { id: resource },
          presented: undefined,
        },
        deps,
      );
      throw new Error('expected a challenge');
    } catch (error) {
      if (!(error instanceof IdentityConfirmationRequiredError)) throw error;
      return error.details.challenge as { id: string; numberToMatch?: string };
    }
  };
  return { deps, clock, user, web, phone, emails, events, ask };
}

const outcomes = (results: PromiseSettledResult<unknown>[]) => ({
  ok: results.filter((r) => r.status === 'fulfilled').length,
  errors: results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).constructor.name] : [])),
});

describe('identity challenges on DynamoDB Local', () => {
  it('answers one of 20 concurrent approvals with the right number; the others are refused', async () => {
    const { deps, user, phone, ask } = setup();
    const challenge = await ask();

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        approveChallenge(user, phone, challenge.id, challenge.numberToMatch ?? '', deps),
      ),
    );

    const { ok, errors } = outcomes(results);
    expect(ok).toBe(1);
    expect(new Set(errors)).toEqual(new Set([ChallengeNotPendingError.name]));
  });

  it('lets exactly one of concurrent approvals and denials win', async () => {
    const { deps, user, web, phone, ask } = setup();
    const challenge = await ask();

    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, () =>
        approveChallenge(user, phone, challenge.id, challenge.numberToMatch ?? '', deps),
      ),
      ...Array.from({ length: 10 }, () => denyChallenge(user, phone, challenge.id, false, deps)),
    ]);
    const final = await getChallengeStatus(user, web, challenge.id, deps);

    expect(outcomes(results).ok).toBe(1);
    expect(['approved', 'denied']).toContain(final.status);
  });

  it('consumes a magic link once under 20 concurrent confirmations', async () => {
    const { deps, user, web, emails, ask } = setup();
    await updateIdentitySettings(user, { methods: ['push', 'email_magic_link'] }, deps);
    const challenge = await ask();
    await emailMagicLink(user, web, challenge.id, deps);
    const token = /confirm#([\w-]+)/.exec(emails[0]?.text ?? '')?.[1] ?? '';

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => confirmMagicLink(token, deps)));

    const { ok, errors } = outcomes(results);
    expect(ok).toBe(1);
    expect(new Set(errors)).toEqual(new Set([LinkInvalidError.name]));
    expect((await getChallengeStatus(user, web, challenge.id, deps)).status).toBe('approved');
  });

  it('opens one challenge for concurrent identical requests', async () => {
    const { ask } = setup();

    const challenges = await Promise.all(Array.from({ length: 8 }, () => ask()));

    expect(new Set(challenges.map((c) => c.id)).size).toBe(1);
  });

  it('caps challenges at 10 per user per hour under concurrency (one conditional write)', async () => {
    const { ask, clock } = setup();

    const results = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => ask(`acc_${i}`)));
    clock.set('2026-11-23T11:00:00.000Z');
    const nextHour = await ask('acc_next');

    const { ok, errors } = outcomes(results);
    expect(ok).toBe(10);
    expect(errors).toEqual(Array(5).fill(TooManyChallengesError.name));
    expect(nextHour.id).toBeDefined();
  });

  it('expires a push challenge after 2 minutes (checked in the write, not by TTL)', async () => {
    const { deps, user, web, phone, clock, ask } = setup();
    const challenge = await ask();

    clock.set('2026-11-23T10:02:00.000Z');
    const late = approveChallenge(user, phone, challenge.id, challenge.numberToMatch ?? '', deps);
    await expect(late).rejects.toBeInstanceOf(ChallengeExpiredError);
    const status = await getChallengeStatus(user, web, challenge.id, deps);
    const next = await ask();

    expect(status.status).toBe('expired');
    expect(next.id).not.toBe(challenge.id);
  });

  it('denies the challenge on a wrong number, in the same conditional write', async () => {
    const { deps, user, web, phone, ask } = setup();
    const challenge = await ask();
    const wrong = challenge.numberToMatch === '10' ? '11' : '10';

    await expect(approveChallenge(user, phone, challenge.id, wrong, deps)).rejects.toBeInstanceOf(
      WrongNumberError,
    );

    expect(await getChallengeStatus(user, web, challenge.id, deps)).toMatchObject({
      status: 'denied',
      reason: 'wrong_number',
    });
  });

  it('passes the retry within the reuse window only', async () => {
    const { deps, user, web, phone, clock, ask } = setup();
    const challenge = await ask();
    await approveChallenge(user, phone, challenge.id, challenge.numberToMatch ?? '', deps);
    const retry = () =>
      requireConfirmation(
        {
          caller: user,
          device: web,
          action: 'password.view',
          params: { id: 'acc_1' },
          presented: challenge.id,
        },
        deps,
      );

    await expect(retry()).resolves.toBeUndefined();
    clock.set('2026-11-23T10:05:00.000Z');
    await expect(retry()).rejects.toBeInstanceOf(IdentityConfirmationRequiredError);
  });
});
