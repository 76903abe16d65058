import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { extensionKey, openJwe, registerKeyedExtension, trustedUser } from '../support/e2e-devices';
import { appears, client, storedItems } from './client';

type Owner = Awaited<ReturnType<typeof trustedUser>>;

describe('password rotation and one-click MFA on the demo app over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  let owner: Owner;
  const workspace = `rot-${randomUUID().slice(0, 8)}`;
  /** Every password a test used or saw: none may be stored in clear or travel in a queue. */
  const passwords = new Set<string>();

  beforeAll(async () => {
    // A short connector time box, so "accept then time out" is over in well under a second.
    stack = await bootInMemoryStack({
      quiet: true,
      env: { POWERTOOLS_LOG_LEVEL: 'WARN', CONNECTOR_TIMEOUT_MS: '700' },
    });
    api = client(stack);
    const ownerEmail = `rot-owner-${randomUUID().slice(0, 6)}@acme.example`;
    await api.bootstrap(workspace, ownerEmail);
    owner = await trustedUser(api, ownerEmail, workspace);
  });
  afterAll(() => stack?.stop());

  const as = (extra: Record<string, unknown> = {}) => ({ token: owner.token, device: owner.web, ...extra });
  const demo = (path: string, body: unknown) => api.call('POST', `/_local/apps/demo${path}`, { body });

  /** A demo app user and the Latchkey account that holds its password. */
  async function demoAccount() {
    const username = `u-${randomUUID().slice(0, 8)}`;
    const password = `Initial-${randomUUID()}`;
    passwords.add(password);
    expect((await demo('/users', { username, password })).status).toBe(201);
    const created = await api.call(
      'POST',
      '/v1/accounts',
      as({ body: { appName: 'Demo', appId: 'demo', username, password } }),
    );
    expect(created.status).toBe(201);
    return { id: created.body.account.id as string, username, password };
  }

  /** Reads a route guarded by identity confirmation: challenge, approve from the phone, retry. */
  async function confirmed(path: string) {
    const asked = await api.call('GET', path, as());
    expect(asked.status).toBe(403);
    const challenge = asked.body.challenge;
    const approved = await api.call('POST', `/v1/identity-challenges/${challenge.id}/approve`, {
      token: owner.token,
      device: owner.phone,
      body: { number: challenge.numberToMatch },
    });
    expect(approved.status).toBe(200);
    return api.call('GET', path, as({ confirmation: challenge.id }));
  }

  async function currentPassword(accountId: string): Promise<string> {
    const shown = await confirmed(`/v1/accounts/${accountId}/password`);
    expect(shown.status).toBe(200);
    passwords.add(shown.body.password);
    return shown.body.password as string;
  }

  /** Starts a rotation and waits until the queue has no work left for it. */
  async function rotate(accountId: string) {
    const started = await api.call('POST', `/v1/accounts/${accountId}/rotations`, as());
    expect(started.status).toBe(202);
    await stack.push.drain();
    return (await api.call('GET', `/v1/accounts/${accountId}/rotations/${started.body.rotation.id}`, as()))
      .body.rotation;
  }

  const login = async (username: string, password: string, totp?: string) =>
    (await demo('/login', { username, password, ...(totp ? { totp } : {}) })).status;

  it('lists the catalogue with capabilities; the catalogue wins over recorded capabilities', async () => {
    // Long, unique passwords: the secret scan below matches whole tokens, and a one-letter password
    // would be "found" inside any base64 ciphertext.
    const password = `Ads-${randomUUID()}`;
    const apps = await api.call('GET', '/v1/apps', as());
    const created = await api.call(
      'POST',
      '/v1/accounts',
      as({
        body: {
          appName: 'Ads',
          appId: 'acme-ads',
          username: 'x',
          password,
          capabilities: { acceptsVoip: true },
        },
      }),
    );
    passwords.add(password);

    const demoApp = apps.body.items.find((app: { id: string }) => app.id === 'demo');
    expect(demoApp.capabilities).toEqual({
      managedPhone: true,
      acceptsVoip: true,
      managedEmail: true,
      passwordRotation: true,
      mfaEnrollment: true,
    });
    expect(demoApp.loginUrl).toBe(`${stack.apiUrl.replace('localhost', '127.0.0.1')}/_local/apps/demo/login`);
    expect(created.body.account.capabilities).toMatchObject({ acceptsVoip: false, passwordRotation: false });
  });

  it('rotates: the old password is refused at the app, the one Latchkey hands out works, history keeps both', async () => {
    const account = await demoAccount();

    const rotation = await rotate(account.id);
    const password = await currentPassword(account.id);
    const history = await api.call('GET', `/v1/accounts/${account.id}/password-history`, as());
    const previous = await confirmed(`/v1/accounts/${account.id}/password-history/1`);
    const view = await api.call('GET', `/v1/accounts/${account.id}`, as());

    expect(rotation).toMatchObject({
      status: 'succeeded',
      step: 'done',
      attempts: 1,
      fromVersion: 1,
      pendingVersion: 2,
    });
    expect(rotation.steps.map((s: { step: string }) => s.step)).toEqual([
      'seal',
      'change',
      'verify',
      'promote',
    ]);
    expect(password).not.toBe(account.password);
    expect(password.length).toBe(24);
    expect(await login(account.username, account.password)).toBe(401);
    expect(await login(account.username, password)).toBe(200);
    expect(history.body.items.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual(
      [
        [2, 'current'],
        [1, 'previous'],
      ],
    );
    expect(previous.body).toEqual({ version: 1, password: account.password });
    expect(view.body.account).toMatchObject({ passwordVersion: 2, lastRotation: { status: 'succeeded' } });
    expect(view.body.account).not.toHaveProperty('rotation');
  });

  it('hands the rotated password out in the next login grant, never the old one', async () => {
    const account = await demoAccount();
    const key = await extensionKey();
    const extension = await registerKeyedExtension(api, owner, key.jwk);

    const rotation = await rotate(account.id);
    const granted = await api.call('POST', `/v1/accounts/${account.id}/login-grants`, {
      token: owner.token,
      device: extension.credential,
    });
    const payload = await openJwe(granted.body.grant.jwe, key.privateKey);
    passwords.add(payload.password);

    expect(rotation.status).toBe('succeeded');
    expect(granted.status).toBe(201);
    expect(payload.password).not.toBe(account.password);
    expect(payload.password).toBe(await currentPassword(account.id));
    expect(await login(account.username, payload.password)).toBe(200);
  });

  it('fail once: the retry succeeds', async () => {
    const account = await demoAccount();
    await demo('/faults', { mode: 'fail_once' });

    const rotation = await rotate(account.id);

    expect(rotation).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(rotation.steps[1]).toMatchObject({ step: 'change', outcome: 'failed' });
    expect(await login(account.username, await currentPassword(account.id))).toBe(200);
  });

  it('fail always: ends failed after the retries, the working password stays current, owners are told', async () => {
    const account = await demoAccount();
    await demo('/faults', { mode: 'fail_always' });
    const since = Math.floor(Date.now() / 1000) - 1;

    const rotation = await rotate(account.id);
    await demo('/faults', { mode: 'none' });
    const current = await currentPassword(account.id);
    const mails = (await stack.sentEmails()).filter(
      (mail) =>
        mail.destination.to.includes(owner.email) &&
        mail.at >= since &&
        /rotation failed/i.test(mail.subject),
    );
    const pushes = (await api.call('GET', '/_local/outbox/push')).body.items.filter(
      (p: { type: string; data: { rotationId?: string } }) =>
        p.type === 'rotation_failed' && p.data.rotationId === rotation.id,
    );
    const history = await api.call('GET', `/v1/accounts/${account.id}/password-history`, as());
    const again = await api.call('POST', `/v1/accounts/${account.id}/rotations`, as());

    expect(rotation).toMatchObject({ status: 'failed', attempts: 3, maxAttempts: 3 });
    expect(rotation.error).toMatch(/HTTP 500/);
    expect(current).toBe(account.password);
    expect(await login(account.username, current)).toBe(200);
    expect(mails).toHaveLength(1);
    expect(pushes.map((p: { deviceId: string }) => p.deviceId)).toEqual([owner.phoneId]);
    expect(history.body.items.map((v: { status: string }) => v.status)).toEqual(['abandoned', 'current']);
    expect(again.status).toBe(202);
    await stack.push.drain();
  });

  it('accept then time out: the engine finds the new password works and rolls forward', async () => {
    const account = await demoAccount();
    await demo('/faults', { mode: 'accept_then_timeout', hangMs: 5_000 });

    const rotation = await rotate(account.id);
    const current = await currentPassword(account.id);

    expect(rotation.status).toBe('succeeded');
    expect(rotation.steps.map((s: { step: string; outcome: string }) => `${s.step}:${s.outcome}`)).toEqual([
      'seal:done',
      'change:failed',
      'change:rolled_forward',
      'promote:done',
    ]);
    expect(rotation.steps[1].detail).toMatch(/did not answer within 700 ms/);
    expect(await login(account.username, current)).toBe(200);
    expect(await login(account.username, account.password)).toBe(401);
  });

  it('one rotation at a time; a password edit names the version it replaces', async () => {
    const account = await demoAccount();
    const first = await api.call('POST', `/v1/accounts/${account.id}/rotations`, as());
    const second = await api.call('POST', `/v1/accounts/${account.id}/rotations`, as());
    const editDuring = await api.call(
      'PATCH',
      `/v1/accounts/${account.id}`,
      as({ body: { password: 'Mine-1234567', passwordVersion: 1 } }),
    );
    await stack.push.drain();
    const stale = await api.call(
      'PATCH',
      `/v1/accounts/${account.id}`,
      as({ body: { password: 'Mine-1234567', passwordVersion: 1 } }),
    );
    const missing = await api.call(
      'PATCH',
      `/v1/accounts/${account.id}`,
      as({ body: { password: 'Mine-1234567' } }),
    );
    const right = await api.call(
      'PATCH',
      `/v1/accounts/${account.id}`,
      as({ body: { password: 'Mine-1234567', passwordVersion: 2 } }),
    );
    passwords.add('Mine-1234567');

    expect(first.status).toBe(202);
    expect(second).toMatchObject({ status: 409, body: { error: 'rotation_in_progress', retryAfter: 30 } });
    expect(editDuring.body.error).toBe('rotation_in_progress');
    expect(stale).toMatchObject({
      status: 409,
      body: { error: 'password_version_conflict', currentVersion: 2 },
    });
    expect(missing).toMatchObject({ status: 409, body: { error: 'password_version_conflict' } });
    expect(right).toMatchObject({ status: 200, body: { account: { passwordVersion: 3 } } });
  });

  it('refuses accounts without a rotation connector, and non-owners', async () => {
    const password = `Plain-${randomUUID()}`;
    const plain = await api.call(
      'POST',
      '/v1/accounts',
      as({ body: { appName: 'Plain', username: 'p', password } }),
    );
    passwords.add(password);
    const refused = await api.call('POST', `/v1/accounts/${plain.body.account.id}/rotations`, as());
    const policy = await api.call(
      'PUT',
      `/v1/accounts/${plain.body.account.id}/rotation-policy`,
      as({ body: { everyDays: 30, afterLogin: false } }),
    );
    const unknownApp = await api.call(
      'POST',
      '/v1/accounts',
      as({ body: { appName: 'X', appId: 'nope', username: 'p', password } }),
    );

    expect(refused).toMatchObject({ status: 422, body: { error: 'rotation_not_supported' } });
    expect(policy).toMatchObject({ status: 422, body: { error: 'rotation_not_supported' } });
    expect(unknownApp).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('a schedule fires under a fake clock; milestone 5 follows the policy and the last rotation', async () => {
    const account = await demoAccount();
    const put = await api.call(
      'PUT',
      `/v1/accounts/${account.id}/rotation-policy`,
      as({ body: { everyDays: 30, afterLogin: false, generator: { length: 100, symbols: false } } }),
    );
    const before = await api.call('GET', `/v1/accounts/${account.id}/security-level`, as());
    const due = Date.parse(put.body.nextDueAt);

    const early = await api.call('POST', '/_local/rotations/sweep', {
      body: { now: new Date(due - 60_000).toISOString() },
    });
    const onTime = await api.call('POST', '/_local/rotations/sweep', {
      body: { now: new Date(due + 60_000).toISOString() },
    });
    const rotations = await api.call('GET', `/v1/accounts/${account.id}/rotations`, as());
    const after = await api.call('GET', `/v1/accounts/${account.id}/security-level`, as());
    const password = await currentPassword(account.id);

    expect(put.body.policy.generator).toMatchObject({ length: 64, symbols: false, uppercase: true });
    expect(due - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(before.body.milestones[4]).toMatchObject({ id: 'passwords_rotated', done: false });
    expect(before.body.nextStep.action).toBeDefined();
    expect(early.body.started).toBe(0);
    expect(onTime.body.started).toBeGreaterThanOrEqual(1);
    expect(rotations.body.items).toHaveLength(1);
    expect(rotations.body.items[0]).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    expect(after.body.milestones[4]).toMatchObject({ id: 'passwords_rotated', done: true });
    expect(password).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(await login(account.username, password)).toBe(200);
  });

  it('after a login: a successful login result marks the account due after the delay', async () => {
    const account = await demoAccount();
    await api.call(
      'PUT',
      `/v1/accounts/${account.id}/rotation-policy`,
      as({ body: { everyDays: null, afterLogin: true, afterLoginDelayMinutes: 10 } }),
    );
    await api.call('POST', `/v1/accounts/${account.id}/login-results`, as({ body: { success: true } }));

    const soon = await api.call('POST', '/_local/rotations/sweep', {
      body: { now: new Date(Date.now() + 5 * 60_000).toISOString() },
    });
    const later = await api.call('POST', '/_local/rotations/sweep', {
      body: { now: new Date(Date.now() + 11 * 60_000).toISOString() },
    });
    const rotations = await api.call('GET', `/v1/accounts/${account.id}/rotations`, as());

    expect(soon.body.started).toBe(0);
    expect(later.body.started).toBeGreaterThanOrEqual(1);
    expect(rotations.body.items[0]).toMatchObject({ status: 'succeeded' });
  });

  it('one-click MFA: the demo login then needs the TOTP code Latchkey generates', async () => {
    const account = await demoAccount();
    const started = await api.call('POST', `/v1/accounts/${account.id}/mfa-enrollment`, as());
    await stack.push.drain();
    const rotation = await api.call(
      'GET',
      `/v1/accounts/${account.id}/rotations/${started.body.rotation.id}`,
      as(),
    );
    const code = await api.call('GET', `/v1/accounts/${account.id}/totp/code`, as());
    const level = await api.call('GET', `/v1/accounts/${account.id}/security-level`, as());
    const again = await api.call('POST', `/v1/accounts/${account.id}/mfa-enrollment`, as());
    const withoutCode = await demo('/login', { username: account.username, password: account.password });
    const withCode = await login(account.username, account.password, code.body.code);
    // A password rotation now logs in with the code too.
    const rotated = await rotate(account.id);

    expect(started).toMatchObject({ status: 202, body: { rotation: { kind: 'mfa', status: 'queued' } } });
    expect(rotation.body.rotation).toMatchObject({ status: 'succeeded' });
    expect(withoutCode).toMatchObject({ status: 401, body: { error: 'totp_required' } });
    expect(withCode).toBe(200);
    expect(level.body.milestones[2]).toMatchObject({ id: 'managed_mfa', done: true });
    expect(again).toMatchObject({ status: 409, body: { error: 'mfa_already_enrolled' } });
    expect(rotated.status).toBe('succeeded');
  });

  it('demo app faults and bodies are validated', async () => {
    expect((await demo('/faults', { mode: 'explode' })).status).toBe(400);
    expect((await demo('/users', { username: '' })).status).toBe(400);
    expect((await api.call('POST', '/_local/rotations/sweep', { body: { now: 'soon' } })).status).toBe(400);
  });

  it('stores no password in clear and puts none in a queue message', async () => {
    const stored = await storedItems(stack);
    const queues = JSON.stringify((await api.call('GET', '/_local/queues')).body);

    expect(passwords.size).toBeGreaterThan(10);
    for (const password of passwords) {
      expect(appears(password, stored), `${password} is stored in clear`).toBe(false);
      expect(appears(password, queues), `${password} travelled in a queue`).toBe(false);
    }
    expect(stored).toContain('PWVER#');
  });
});
