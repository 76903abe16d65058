import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../../shared/adapters/dynamodb/inbox-repository';
import { outboxKey } from '../../shared/adapters/dynamodb/outbox';
import { makeRotationRepository } from '../../shared/adapters/dynamodb/rotation-repository';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import { type AccountDeps, createAccount, viewPassword } from '../../shared/domain/accounts/use-cases';
import { type AppDriver, runConnector } from '../../shared/domain/rotation/connector';
import { advanceRotation, type EngineDeps } from '../../shared/domain/rotation/engine';
import { ConnectorError } from '../../shared/domain/rotation/errors';
import {
  afterLogin,
  assertPasswordStable,
  type RotationDeps,
  startRotation,
  sweepDueRotations,
} from '../../shared/domain/rotation/use-cases';
import { fixedClock } from '../support/fakes';
import { localTable, unique, workspaceMember } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);
const accounts = makeAccountRepository(doc, tableName);
const rotations = makeRotationRepository(doc, tableName);
const keyring = makeKeyring(localDataKeys(Buffer.alloc(32, 9)));

/** A third-party app in memory: what the demo app does, with hooks to slow or break a change. */
function fakeApp(initial: Record<string, string>) {
  const passwords = new Map(Object.entries(initial));
  const calls = { change: 0, login: 0 };
  let beforeChange: () => Promise<void> = async () => undefined;
  const driver: AppDriver = {
    async login({ username, password }) {
      calls.login++;
      return passwords.get(username) === password;
    },
    async changePassword({ username, currentPassword, newPassword }) {
      calls.change++;
      await beforeChange();
      if (passwords.get(username) !== currentPassword)
        throw new ConnectorError('HTTP 401 invalid_credentials');
      passwords.set(username, newPassword);
    },
    async enrollTotp() {
      throw new ConnectorError('not in this fake');
    },
  };
  return {
    driver,
    calls,
    passwords,
    onChange(hook: () => Promise<void>) {
      beforeChange = hook;
    },
  };
}

async function setup() {
  const clock = fixedClock(new Date().toISOString());
  const owner = await workspaceMember(users, unique('ws'));
  const username = unique('user');
  const app = fakeApp({ [username]: 'Initial-password-1' });
  const notified: string[][] = [];
  const mails: string[] = [];
  const counted: string[] = [];
  const accountDeps: AccountDeps = {
    accounts,
    inbox: makeInboxRepository(doc, tableName),
    users,
    keyring,
    hmac: makeHmac(async () => Buffer.alloc(32, 3)),
    notifier: { notify: async (_type, recipients) => void notified.push(recipients) },
    clock,
    newId,
    security: { record: () => undefined },
    inboundEmailDomain: 'inbound.test',
  };
  const rotationDeps: RotationDeps = { ...accountDeps, rotations };
  const engine: EngineDeps = {
    rotations,
    accounts,
    users,
    keyring,
    connector: {
      run: (request) =>
        runConnector(request, {
          secrets: {
            sealedPassword: rotations.sealedPassword,
            pendingSeed: async () => undefined,
            accountTotp: async () => undefined,
          },
          keyring,
          drivers: { demo: app.driver },
          clock,
        }),
    },
    clock,
    notifier: accountDeps.notifier,
    mailer: {
      send: async (mail) => {
        mails.push(mail.to);
        return { messageId: 'm' };
      },
    },
    security: { record: () => undefined },
    count: (metric) => void counted.push(metric),
    leaseMs: 30_000,
  };
  const account = await createAccount(
    owner,
    { appName: 'Demo', appId: 'demo', username, password: 'Initial-password-1' },
    accountDeps,
  );
  return { clock, owner, app, account, accountDeps, rotationDeps, engine, notified, mails, counted };
}

const read = async (key: Record<string, string>) =>
  (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

describe('rotation engine on DynamoDB Local', () => {
  it('queues a rotation with its marker and outbox job, then walks seal, change, verify, promote', async () => {
    const { owner, app, account, accountDeps, rotationDeps, engine, counted } = await setup();
    const jobs: string[] = [];
    const recording = {
      ...rotationDeps,
      rotations: {
        ...rotations,
        start: (r: Parameters<typeof rotations.start>[0], job: Parameters<typeof rotations.start>[1]) => {
          jobs.push(job.id);
          return rotations.start(r, job);
        },
      },
    };

    const rotation = await startRotation(owner, account.id, recording);
    const marked = await accounts.get(account.id);
    const job = await read(outboxKey(jobs[0] as string));
    const outcome = await advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine);
    const done = await rotations.get(account.id, rotation.id);
    const password = await viewPassword(owner, account.id, accountDeps);
    const versions = await rotations.versions(account.id);
    const after = await accounts.get(account.id);

    expect(rotation).toMatchObject({ status: 'queued', step: 'seal', fromVersion: 1 });
    expect(marked?.activeRotation).toMatchObject({ id: rotation.id, kind: 'password' });
    expect(job?.event).toMatchObject({
      type: 'rotation.job',
      detail: { accountId: account.id, rotationId: rotation.id },
    });
    expect(outcome).toBe('done');
    expect(done).toMatchObject({ status: 'succeeded', step: 'done', attempts: 1, pendingVersion: 2 });
    expect(done?.steps.map((s) => s.step)).toEqual(['seal', 'change', 'verify', 'promote']);
    expect(app.passwords.get(account.username)).toBe(password);
    expect(password).not.toBe('Initial-password-1');
    expect(versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'previous'],
      [2, 'current'],
    ]);
    expect(after).toMatchObject({
      passwordVersion: 2,
      lastRotation: { id: rotation.id, status: 'succeeded' },
    });
    expect(after?.activeRotation).toBeUndefined();
    expect(counted).toEqual(['RotationsSucceeded']);
  });

  it('lets only one of two racing workers act: the app is changed once', async () => {
    const { owner, app, account, accountDeps, rotationDeps, engine } = await setup();
    const rotation = await startRotation(owner, account.id, rotationDeps);
    app.onChange(() => new Promise((resolve) => setTimeout(resolve, 150)));

    const outcomes = await Promise.all([
      advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine),
      advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine),
    ]);
    // The loser's job comes back later (the queue redelivers it) and finds the rotation done.
    const replay = await advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine);

    expect(outcomes.sort()).toEqual(['done', 'retry']);
    expect(replay).toBe('done');
    expect(app.calls.change).toBe(1);
    expect(await rotations.get(account.id, rotation.id)).toMatchObject({ status: 'succeeded' });
    expect(app.passwords.get(account.username)).toBe(await viewPassword(owner, account.id, accountDeps));
    expect((await rotations.versions(account.id)).length).toBe(2);
  });

  it('marks the account as changing while the connector runs: a grant gets 409 with retryAfter', async () => {
    const { owner, app, account, rotationDeps, engine } = await setup();
    const rotation = await startRotation(owner, account.id, rotationDeps);
    let during: unknown;
    app.onChange(async () => {
      const current = await accounts.get(account.id);
      try {
        assertPasswordStable(current ?? {});
      } catch (error) {
        during = error;
      }
    });
    const before = await accounts.get(account.id);

    await advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine);

    expect(() => assertPasswordStable(before ?? {})).not.toThrow();
    expect(during).toMatchObject({ name: 'RotationInProgressError', details: { retryAfter: 30 } });
    expect(() => assertPasswordStable({})).not.toThrow();
  });

  it('resumes after a worker died mid-change: the next worker takes over once the lease ran out', async () => {
    const { owner, app, account, accountDeps, rotationDeps, engine, clock } = await setup();
    const rotation = await startRotation(owner, account.id, rotationDeps);
    let release: () => void = () => undefined;
    app.onChange(() => new Promise<void>((resolve) => (release = resolve)));
    // Worker A stalls inside the app call (as if its process froze) and holds the lease.
    const stalled = advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine);
    while (app.calls.change === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const whileHeld = await advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine);
    const held = await rotations.get(account.id, rotation.id);

    clock.set(new Date(clock.now().getTime() + 60_000).toISOString());
    app.onChange(async () => undefined);
    const resumed = await advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine);
    release();
    const staleOutcome = await stalled;

    expect(held).toMatchObject({ step: 'change', pendingVersion: 2 });
    expect(whileHeld).toBe('retry');
    expect(resumed).toBe('done');
    expect(staleOutcome).toBe('retry');
    expect(await rotations.get(account.id, rotation.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(app.passwords.get(account.username)).toBe(await viewPassword(owner, account.id, accountDeps));
  });

  it('ends failed after the retries: the old password stays current, owners are notified and emailed', async () => {
    const { owner, app, account, accountDeps, rotationDeps, engine, notified, mails, counted } =
      await setup();
    const rotation = await startRotation(owner, account.id, rotationDeps);
    app.onChange(async () => {
      throw new ConnectorError('HTTP 500 temporarily_unavailable');
    });

    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine));
    }
    const failed = await rotations.get(account.id, rotation.id);
    const after = await accounts.get(account.id);

    expect(outcomes).toEqual(['retry', 'retry', 'done']);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'HTTP 500 temporarily_unavailable',
    });
    expect(await viewPassword(owner, account.id, accountDeps)).toBe('Initial-password-1');
    expect(app.passwords.get(account.username)).toBe('Initial-password-1');
    expect(after).toMatchObject({ passwordVersion: 1, lastRotation: { status: 'failed' } });
    expect(after?.activeRotation).toBeUndefined();
    expect((await rotations.versions(account.id)).map((v) => [v.version, v.status])).toEqual([
      [1, 'current'],
      [2, 'abandoned'],
    ]);
    expect(notified).toEqual([[owner.id]]);
    expect(mails).toEqual([owner.email]);
    expect(counted).toEqual(['RotationsFailed']);
  });

  it('ends failed when the app says yes to every change but never takes the new password', async () => {
    const { owner, app, account, accountDeps, rotationDeps, engine } = await setup();
    const rotation = await startRotation(owner, account.id, rotationDeps);
    // The app answers 200 and keeps the old password (a broken form, a silent policy).
    app.driver.changePassword = async () => {
      app.calls.change++;
    };

    const outcomes: string[] = [];
    for (let i = 0; i < 6 && outcomes.at(-1) !== 'done'; i++) {
      outcomes.push(await advanceRotation({ accountId: account.id, rotationId: rotation.id }, engine));
    }
    const failed = await rotations.get(account.id, rotation.id);

    expect(outcomes.at(-1)).toBe('done');
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'the new secret did not log in after the change',
    });
    expect(app.calls.change).toBeLessThanOrEqual(3);
    expect(await viewPassword(owner, account.id, accountDeps)).toBe('Initial-password-1');
  });

  it('sweeps only the sparse index: due accounts start, others are not read', async () => {
    const { owner, account, accountDeps, rotationDeps, clock } = await setup();
    await rotations.putPolicy(
      account,
      {
        everyDays: null,
        afterLogin: true,
        afterLoginDelayMinutes: 5,
        generator: { length: 20, lowercase: true, uppercase: true, digits: true, symbols: false },
      },
      undefined,
      clock.now(),
    );
    const dueAt = await afterLogin(account.id, rotationDeps);
    // An account whose app has no rotation connector (any more) is dropped from the index, not read again.
    const noConnector = await createAccount(
      owner,
      { appName: 'Ads', appId: 'acme-ads', username: unique('ads'), password: 'p' },
      accountDeps,
    );
    await rotations.markDue(noConnector.id, dueAt as string);
    const later = new Date(Date.parse(dueAt as string) + 1000);
    const dueNow = await rotations.due(new Date(Date.parse(dueAt as string) - 1000), 1000);
    const dueLater = await rotations.due(later, 1000);

    clock.set(later.toISOString());
    const swept = await sweepDueRotations({ ...rotationDeps, limit: 1000 });
    const again = await rotations.due(later, 1000);
    const marked = await accounts.get(account.id);

    expect(dueNow.some((d) => d.accountId === account.id)).toBe(false);
    expect(dueLater.some((d) => d.accountId === account.id)).toBe(true);
    expect(swept.started).toBeGreaterThanOrEqual(1);
    expect(again.some((d) => d.accountId === account.id)).toBe(false);
    expect(dueLater.some((d) => d.accountId === noConnector.id)).toBe(true);
    expect(again.some((d) => d.accountId === noConnector.id)).toBe(false);
    expect(swept.skipped).toBeGreaterThanOrEqual(1);
    expect(marked?.activeRotation).toMatchObject({ kind: 'password' });
    await expect(startRotation(owner, account.id, rotationDeps)).rejects.toMatchObject({
      name: 'RotationInProgressError',
    });
  });
});
