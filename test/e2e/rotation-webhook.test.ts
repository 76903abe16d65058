import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { newWebhookSecret, signedHeaders } from '../../shared/adapters/connectors/webhook-signature';
import { extensionKey, openJwe, registerKeyedExtension, trustedUser } from '../support/e2e-devices';
import { captureLogs } from '../support/http-event';
import { appears, client, storedItems } from './client';

type Admin = Awaited<ReturnType<typeof trustedUser>>;

/**
 * The webhook connector end to end: an admin points an app Latchkey does not automate (`acme-ads`) at
 * the demo app's webhook endpoint (allowed through the local runtime's loopback allowance), pastes the
 * secret there, and rotations of that app's accounts go through signed requests the demo app verifies.
 */
describe('webhook connector over HTTP (demo app as the customer endpoint)', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  let admin: Admin;
  let endpoint: string;
  const workspace = `whk-${randomUUID().slice(0, 8)}`;
  /** Every password and secret the tests used or saw: none may be stored in clear. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    // INFO: the security events and notification logs are what the secret scan below searches.
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'INFO' } });
    api = client(stack);
    const email = `whk-owner-${randomUUID().slice(0, 6)}@acme.example`;
    await api.bootstrap(workspace, email);
    admin = await trustedUser(api, email, workspace);
    endpoint = `${stack.apiUrl.replace('localhost', '127.0.0.1')}/_local/apps/demo/webhook`;
  });
  const logs = captureLogs();
  afterAll(async () => {
    logs.restore();
    await stack?.stop();
  });

  const as = (extra: Record<string, unknown> = {}) => ({ token: admin.token, device: admin.web, ...extra });
  const demo = (path: string, body: unknown) => api.call('POST', `/_local/apps/demo${path}`, { body });
  const deliveries = async () =>
    (await api.call('GET', '/_local/apps/demo/webhook/deliveries')).body.items as Array<{
      id: string;
      type: string;
      verified: boolean;
      outcome: string;
    }>;

  /** Approved challenges by path: reused within the workspace's reuse window (push challenges are capped). */
  const approvedFor = new Map<string, string>();

  /** A write guarded by identity confirmation: challenge, approve from the phone, retry. */
  async function confirmed(method: string, path: string, body?: unknown) {
    const reused = approvedFor.get(path);
    if (reused) {
      const answer = await api.call(method, path, as({ body, confirmation: reused }));
      if (answer.body?.error !== 'identity_confirmation_required') return answer;
    }
    const asked = await api.call(method, path, as({ body }));
    expect(asked.status).toBe(403);
    expect(asked.body.error).toBe('identity_confirmation_required');
    const challenge = asked.body.challenge;
    const approved = await api.call('POST', `/v1/identity-challenges/${challenge.id}/approve`, {
      token: admin.token,
      device: admin.phone,
      body: { number: challenge.numberToMatch },
    });
    expect(approved.status).toBe(200);
    approvedFor.set(path, challenge.id);
    return api.call(method, path, as({ body, confirmation: challenge.id }));
  }

  /** Configures the webhook for acme-ads and pastes the secret into the demo app, as an admin would. */
  async function configure(url = endpoint) {
    const put = await confirmed('PUT', '/v1/apps/acme-ads/webhook', { url });
    expect(put.status).toBe(200);
    if (put.body.secret) {
      secrets.add(put.body.secret);
      expect((await demo('/webhook/secret', { secret: put.body.secret })).status).toBe(200);
    }
    return put.body;
  }

  /** A demo app user and a Latchkey account for it under the acme-ads app (no connector of its own). */
  async function webhookAccount(options: { atDemo?: boolean } = {}) {
    const username = `w-${randomUUID().slice(0, 8)}`;
    const password = `Initial-${randomUUID()}`;
    secrets.add(password);
    if (options.atDemo !== false) expect((await demo('/users', { username, password })).status).toBe(201);
    const created = await api.call(
      'POST',
      '/v1/accounts',
      as({ body: { appName: 'Acme Ads', appId: 'acme-ads', username, password } }),
    );
    expect(created.status).toBe(201);
    return { id: created.body.account.id as string, username, password };
  }

  async function rotate(accountId: string) {
    const started = await api.call('POST', `/v1/accounts/${accountId}/rotations`, as());
    expect(started.status).toBe(202);
    await stack.push.drain();
    return (await api.call('GET', `/v1/accounts/${accountId}/rotations/${started.body.rotation.id}`, as()))
      .body.rotation;
  }

  const login = async (username: string, password: string) =>
    (await demo('/login', { username, password })).status;

  it('refuses bad configuration with stable codes', async () => {
    const unconfirmed = await api.call(
      'PUT',
      '/v1/apps/vendor-portal/webhook',
      as({ body: { url: endpoint } }),
    );
    const missingUrl = await api.call('PUT', '/v1/apps/acme-ads/webhook', as({ body: {} }));
    const extra = await api.call(
      'PUT',
      '/v1/apps/acme-ads/webhook',
      as({ body: { url: endpoint, secret: 'x' } }),
    );
    const plainHttp = await confirmed('PUT', '/v1/apps/acme-ads/webhook', {
      url: 'http://hooks.example.com/x',
    });
    const metadata = await confirmed('PUT', '/v1/apps/acme-ads/webhook', {
      url: 'https://169.254.169.254/latest/meta-data',
    });
    const otherLoopback = await confirmed('PUT', '/v1/apps/acme-ads/webhook', {
      url: 'http://127.0.0.1:1/x',
    });
    const hasConnector = await confirmed('PUT', '/v1/apps/demo/webhook', { url: endpoint });
    const unknownApp = await confirmed('PUT', '/v1/apps/no-such-app/webhook', { url: endpoint });
    const badId = await api.call('GET', '/v1/apps/bad%20id/webhook', as());
    const none = await api.call('GET', '/v1/apps/vendor-portal/webhook', as());
    const noSession = await api.call('GET', '/v1/apps/acme-ads/webhook', { token: admin.token });
    const member = await trustedUser(api, `whk-member-${randomUUID().slice(0, 6)}@acme.example`, workspace);
    const memberGet = await api.call('GET', '/v1/apps/acme-ads/webhook', {
      token: member.token,
      device: member.web,
    });
    const memberPut = await api.call('PUT', '/v1/apps/acme-ads/webhook', {
      token: member.token,
      device: member.web,
      body: { url: endpoint },
    });

    expect(unconfirmed.status).toBe(403);
    expect(unconfirmed.body.error).toBe('identity_confirmation_required');
    expect(missingUrl).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(extra).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(plainHttp).toMatchObject({
      status: 422,
      body: { error: 'webhook_url_refused', reason: 'not HTTPS' },
    });
    expect(metadata).toMatchObject({
      status: 422,
      body: { error: 'webhook_url_refused', reason: 'an address in a refused range (linkLocal)' },
    });
    expect(otherLoopback).toMatchObject({ status: 422, body: { error: 'webhook_url_refused' } });
    expect(hasConnector).toMatchObject({ status: 409, body: { error: 'app_has_connector' } });
    expect(unknownApp).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(badId).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(none).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(noSession.status).toBe(401);
    expect(memberGet).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(memberPut).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });

  it('rotation of a webhook app is refused until the webhook is configured', async () => {
    const account = await webhookAccount();
    const refused = await api.call('POST', `/v1/accounts/${account.id}/rotations`, as());
    expect(refused).toMatchObject({ status: 422, body: { error: 'rotation_not_supported' } });
    expect(
      (await api.call('GET', `/v1/accounts/${account.id}`, as())).body.account.capabilities.passwordRotation,
    ).toBe(false);
  });

  it('configures: the secret is returned once, GET shows no secret, a URL change keeps it, rotateSecret replaces it', async () => {
    const created = await configure();
    const shown = await api.call('GET', '/v1/apps/acme-ads/webhook', as());
    const moved = await confirmed('PUT', '/v1/apps/acme-ads/webhook', { url: `${endpoint}?v=2` });
    const rotated = await configure(endpoint.toString());
    const again = await confirmed('PUT', '/v1/apps/acme-ads/webhook', { url: endpoint, rotateSecret: true });
    secrets.add(again.body.secret);
    // The demo endpoint must know the secret in force.
    expect((await demo('/webhook/secret', { secret: again.body.secret })).status).toBe(200);

    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ appId: 'acme-ads', url: endpoint, createdBy: admin.userId });
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({ webhook: created.webhook });
    expect(JSON.stringify(shown.body)).not.toContain('whsec_');
    expect(moved.status).toBe(200);
    expect(moved.body).not.toHaveProperty('secret');
    expect(moved.body.webhook.url).toBe(`${endpoint}?v=2`);
    expect(moved.body.webhook.secretCreatedAt).toBe(created.webhook.secretCreatedAt);
    expect(rotated).not.toHaveProperty('secret');
    expect(again.body.secret).toMatch(/^whsec_/);
    expect(again.body.secret).not.toBe(created.secret);
  });

  it('tells the owner of each change of where passwords go: notification list, push and email (origin only, no secret)', async () => {
    const webhookMails = async () =>
      (await stack.sentEmails()).filter(
        (mail) => mail.destination.to.includes(admin.email) && /webhook/i.test(mail.subject),
      );
    const before = (await webhookMails()).length;
    const moved = await confirmed('PUT', '/v1/apps/acme-ads/webhook', { url: `${endpoint}?v=3` });
    const back = await confirmed('PUT', '/v1/apps/acme-ads/webhook', { url: endpoint });
    const listed = await api.call('GET', '/v1/me/notifications?limit=50', as());
    const changes = (listed.body.items as Array<{ type: string; data: Record<string, string> }>).filter(
      (n) => n.type === 'app_webhook_changed',
    );
    const mails = (await webhookMails()).slice(before);
    const pushes = (await api.call('GET', '/_local/outbox/push')).body.items.filter(
      (p: { type: string }) => p.type === 'app_webhook_changed',
    );
    const origin = new URL(endpoint).origin;

    expect([moved.status, back.status]).toEqual([200, 200]);
    // Newest first: the two URL changes of this test, then those of the configuration test before.
    expect(changes.slice(0, 2).map((n) => n.data)).toEqual([
      { appId: 'acme-ads', actorUserId: admin.userId, change: 'updated', origin },
      { appId: 'acme-ads', actorUserId: admin.userId, change: 'updated', origin },
    ]);
    expect(changes.at(-1)?.data.change).toBe('created');
    expect(mails).toHaveLength(2);
    expect(mails[0]?.body.text).toContain(`now sent to: ${origin}`);
    expect(mails[0]?.body.text).not.toContain('?v=3');
    // Repeats about the same app within a minute are coalesced into one push; the list keeps each.
    expect(pushes.length).toBeGreaterThanOrEqual(1);
  });

  it('account views and the security level agree with rotation: an app with a webhook shows passwordRotation', async () => {
    const account = await webhookAccount({ atDemo: false });
    const other = await api.call(
      'POST',
      '/v1/accounts',
      as({
        body: { appName: 'Vendor Portal', appId: 'vendor-portal', username: 'v', password: 'Vendor-pw-1' },
      }),
    );
    secrets.add('Vendor-pw-1');
    const shown = await api.call('GET', `/v1/accounts/${account.id}`, as());
    const listed = await api.call('GET', '/v1/accounts?limit=100', as());
    const level = await api.call('GET', `/v1/accounts/${account.id}/security-level`, as());
    const otherLevel = await api.call('GET', `/v1/accounts/${other.body.account.id}/security-level`, as());
    const rotated = (body: { milestones: Array<{ id: string; reason: string }> }) =>
      body.milestones.find((m) => m.id === 'passwords_rotated')?.reason;
    const capabilityOf = (id: string) =>
      (listed.body.items as Array<{ id: string; capabilities: { passwordRotation: boolean } }>).find(
        (item) => item.id === id,
      )?.capabilities.passwordRotation;

    expect(shown.body.account.capabilities).toMatchObject({ passwordRotation: true, mfaEnrollment: false });
    expect(capabilityOf(account.id)).toBe(true);
    // vendor-portal has no webhook in this workspace: still not rotatable, everywhere.
    expect(other.body.account.capabilities.passwordRotation).toBe(false);
    expect(capabilityOf(other.body.account.id)).toBe(false);
    expect(rotated(level.body)).toBe('Set a rotation policy: on a schedule or after logins.');
    expect(rotated(otherLevel.body)).toContain('configure the workspace’s webhook');
  });

  it('rotates through the signed webhook: the demo app verifies it, the new password logs in there and is what the next grant hands out', async () => {
    const account = await webhookAccount();
    const before = (await deliveries()).length;
    const key = await extensionKey();
    const extension = await registerKeyedExtension(api, admin, key.jwk);

    const rotation = await rotate(account.id);
    const seen = (await deliveries()).slice(before);
    const granted = await api.call('POST', `/v1/accounts/${account.id}/login-grants`, {
      token: admin.token,
      device: extension.credential,
    });
    const payload = await openJwe(granted.body.grant.jwe, key.privateKey);
    secrets.add(payload.password);

    expect(rotation).toMatchObject({ status: 'succeeded', attempts: 1, fromVersion: 1, pendingVersion: 2 });
    expect(rotation.steps.map((s: { step: string }) => s.step)).toEqual([
      'seal',
      'change',
      'verify',
      'promote',
    ]);
    expect(seen.map((d) => [d.type, d.verified, d.outcome])).toEqual([
      ['password.change', true, 'succeeded'],
      ['password.check', true, 'succeeded'],
    ]);
    expect(new Set(seen.map((d) => d.id)).size).toBe(2);
    expect(payload.password).not.toBe(account.password);
    expect(await login(account.username, payload.password)).toBe(200);
    expect(await login(account.username, account.password)).toBe(401);
  });

  it('retry_later answers are retried; when they never stop, the rotation fails and the old password still works', async () => {
    const once = await webhookAccount();
    await demo('/faults', { mode: 'fail_once' });
    const retried = await rotate(once.id);

    const always = await webhookAccount();
    await demo('/faults', { mode: 'fail_always' });
    const failed = await rotate(always.id);
    await demo('/faults', { mode: 'none' });

    expect(retried).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(retried.steps[1]).toMatchObject({
      step: 'change',
      outcome: 'failed',
      detail: 'the endpoint asked to retry later: the demo app is busy (fault)',
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await login(always.username, always.password)).toBe(200);
  });

  it('a `failed` answer ends the rotation at once, with the endpoint’s reason', async () => {
    const account = await webhookAccount({ atDemo: false });
    const rotation = await rotate(account.id);
    expect(rotation).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'the endpoint refused the change: no such user at the demo app',
    });
  });

  it('a receiver holding another secret rejects the signature; the rotation fails without changing anything', async () => {
    const account = await webhookAccount();
    const current = (await api.call('GET', '/v1/apps/acme-ads/webhook', as())).body.webhook;
    // The demo endpoint is given a secret that is not the one Latchkey signs with.
    const wrong = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    await demo('/webhook/secret', { secret: wrong });
    const before = (await deliveries()).length;

    const rotation = await rotate(account.id);
    const seen = (await deliveries()).slice(before);
    const restored = await configure(current.url);
    const fresh = await confirmed('PUT', '/v1/apps/acme-ads/webhook', {
      url: current.url,
      rotateSecret: true,
    });
    secrets.add(fresh.body.secret);
    await demo('/webhook/secret', { secret: fresh.body.secret });

    expect(rotation).toMatchObject({ status: 'failed', error: 'the webhook answered HTTP 401' });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((d) => !d.verified && d.outcome === 'bad_signature')).toBe(true);
    expect(restored).not.toHaveProperty('secret');
    expect(await login(account.username, account.password)).toBe(200);
  });

  it('the demo endpoint refuses a replayed id, a stale timestamp and a tampered body over HTTP', async () => {
    const secret = newWebhookSecret();
    await demo('/webhook/secret', { secret });
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'password.check',
      id: 'msg_replay',
      timestamp: now,
      data: { username: 'nobody', version: 2, rotationId: 'rot_x' },
    });
    const send = async (headers: Record<string, string>, raw = body) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: raw,
      });
      return { status: response.status, body: await response.json() };
    };
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    const headers = signedHeaders(secret, id, now, body);

    const first = await send(headers);
    const replayed = await send(headers);
    const stale = await send(signedHeaders(secret, `${id}x`, now - 301, body));
    const tampered = await send(signedHeaders(secret, `${id}y`, now, body), body.replace('nobody', 'admin'));

    expect(first).toEqual({ status: 200, body: { status: 'failed' } });
    expect(replayed).toEqual({ status: 401, body: { error: 'replayed' } });
    expect(stale).toEqual({ status: 401, body: { error: 'stale_timestamp' } });
    expect(tampered).toEqual({ status: 401, body: { error: 'bad_signature' } });
    // Back to the secret Latchkey signs with, for the tests that follow.
    const fresh = await confirmed('PUT', '/v1/apps/acme-ads/webhook', { url: endpoint, rotateSecret: true });
    secrets.add(fresh.body.secret);
    await demo('/webhook/secret', { secret: fresh.body.secret });
  });

  it('DELETE removes the webhook: GET is 404 and rotations are refused again', async () => {
    const account = await webhookAccount();
    const removed = await confirmed('DELETE', '/v1/apps/acme-ads/webhook');
    const shown = await api.call('GET', '/v1/apps/acme-ads/webhook', as());
    const again = await confirmed('DELETE', '/v1/apps/acme-ads/webhook');
    const refused = await api.call('POST', `/v1/accounts/${account.id}/rotations`, as());
    const shownAccount = await api.call('GET', `/v1/accounts/${account.id}`, as());

    expect(removed).toMatchObject({ status: 200, body: { deleted: true } });
    expect(shownAccount.body.account.capabilities.passwordRotation).toBe(false);
    expect(shown.status).toBe(404);
    expect(again.status).toBe(404);
    expect(refused).toMatchObject({ status: 422, body: { error: 'rotation_not_supported' } });
  });

  it('stores and logs no signing secret and no password in clear', async () => {
    const stored = await storedItems(stack);
    const logged = logs.lines.join('');
    const emailed = JSON.stringify(await stack.sentEmails());
    expect(secrets.size).toBeGreaterThan(8);
    for (const secret of secrets) {
      expect(appears(secret, stored), `${secret.slice(0, 10)}… is stored in clear`).toBe(false);
      expect(logged.includes(secret), `${secret.slice(0, 10)}… is logged`).toBe(false);
      expect(emailed.includes(secret), `${secret.slice(0, 10)}… is emailed`).toBe(false);
    }
    // The scan saw the INFO lines: the webhook's security events are among them.
    expect(logs.json().some((line) => line.securityEvent === 'webhook.created')).toBe(true);
  });
});
