import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { approvedPhone, trustedWebSession } from '../support/e2e-devices';
import { client } from './client';

describe('push notifications over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  const workspace = `push-${randomUUID().slice(0, 8)}`;
  /** The owner the fresh workspace was bootstrapped with. */
  let owner: Awaited<ReturnType<typeof userWithPhone>>;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
    api = client(stack);
    const ownerEmail = `owner-${randomUUID().slice(0, 6)}@acme.example`;
    await api.bootstrap(workspace, ownerEmail);
    owner = await userWithPhone(ownerEmail);
  });
  afterAll(() => stack?.stop());

  /** A user with a trusted web session (by code) and a trusted mobile app (approved from the web). */
  async function userWithPhone(email: string) {
    const web = await trustedWebSession(api, email, { workspace });
    const phone = await approvedPhone(api, web.token, web.credential);
    return { token: web.token, web: web.credential, phone: phone.credential, phoneId: phone.deviceId };
  }

  const pushesTo = async (deviceId: string) =>
    (await api.call('GET', '/_local/outbox/push')).body.items.filter(
      (push: { deviceId: string }) => push.deviceId === deviceId,
    );

  async function newDeviceRequest(token: string) {
    const response = await api.call('POST', '/v1/devices', {
      token,
      body: { clientType: 'web', os: 'Linux' },
    });
    expect(response.body.verification.method).toBe('approval');
    return response.body.device.id as string;
  }

  it('pushes the device-approval request to a registered mobile device', async () => {
    const bob = await userWithPhone(`bob-${randomUUID().slice(0, 6)}@acme.example`);

    const registered = await api.call('PUT', `/v1/devices/${bob.phoneId}/push-registration`, {
      token: bob.token,
      device: bob.phone,
      body: { platform: 'APNS', token: 'apns-token-0123456789' },
    });
    const pending = await newDeviceRequest(bob.token);
    const pushes = await pushesTo(bob.phoneId);

    expect(registered).toMatchObject({
      status: 200,
      body: { pushRegistration: { platform: 'APNS', active: true } },
    });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({
      type: 'trusted_device_request',
      data: { deviceId: pending },
      platform: 'APNS',
    });
    const apns = JSON.parse(JSON.parse(pushes[0].message).APNS);
    expect(apns).toMatchObject({ aps: { category: 'TRUSTED_DEVICE_REQUEST' }, deviceId: pending });
    expect(pushes[0].message).not.toContain('apns-token');
  });

  it('lets a user turn off a type that is not enforced; then nothing arrives or is listed', async () => {
    const user = await userWithPhone(`amy-${randomUUID().slice(0, 6)}@acme.example`);
    await api.call('PUT', `/v1/devices/${user.phoneId}/push-registration`, {
      token: user.token,
      device: user.phone,
      body: { platform: 'FCM', token: 'fcm-token-0123456789' },
    });

    const off = await api.call('PUT', '/v1/me/notification-preferences', {
      token: user.token,
      device: user.phone,
      body: { trusted_device_request: { enabled: false } },
    });
    await newDeviceRequest(user.token);
    const listed = await api.call('GET', '/v1/me/notifications', { token: user.token, device: user.web });

    expect(off.body.preferences.trusted_device_request).toEqual({
      enabled: false,
      available: true,
      locked: false,
    });
    expect(await pushesTo(user.phoneId)).toHaveLength(0);
    expect(listed.body.items.filter((i: { outcome?: string }) => i.outcome === 'pending')).toHaveLength(0);
  });

  it('lets an admin enforce a type: the preference cannot turn it off and pushes arrive anyway', async () => {
    const user = await userWithPhone(`ed-${randomUUID().slice(0, 6)}@acme.example`);
    await api.call('PUT', `/v1/devices/${user.phoneId}/push-registration`, {
      token: user.token,
      device: user.phone,
      body: { platform: 'APNS_SANDBOX', token: 'sandbox-token-0123456789' },
    });
    await api.call('PUT', '/v1/me/notification-preferences', {
      token: user.token,
      device: user.phone,
      body: { trusted_device_request: { enabled: false } },
    });

    const enforced = await api.call('PUT', '/v1/workspace/notification-settings', {
      token: owner.token,
      device: owner.web,
      body: {
        trusted_device_request: { enabled: true, enforced: true },
        otp_code_received: { enabled: false, enforced: false },
      },
    });
    const locked = await api.call('PUT', '/v1/me/notification-preferences', {
      token: user.token,
      device: user.phone,
      body: { trusted_device_request: { enabled: false } },
    });
    const disabled = await api.call('PUT', '/v1/me/notification-preferences', {
      token: user.token,
      device: user.phone,
      body: { otp_code_received: { enabled: true } },
    });
    const shown = await api.call('GET', '/v1/me/notification-preferences', {
      token: user.token,
      device: user.web,
    });
    const pending = await newDeviceRequest(user.token);

    expect(enforced.body.settings.trusted_device_request).toEqual({ enabled: true, enforced: true });
    expect(enforced.body.settings.account_shared).toEqual({ enabled: true, enforced: false });
    expect(locked).toMatchObject({ status: 409, body: { error: 'preference_locked' } });
    expect(disabled).toMatchObject({ status: 409, body: { error: 'type_disabled' } });
    expect(shown.body.preferences.trusted_device_request).toEqual({
      enabled: true,
      available: true,
      locked: true,
    });
    expect(
      (await pushesTo(user.phoneId)).map((p: { data: { deviceId: string } }) => p.data.deviceId),
    ).toEqual([pending]);
  });

  it('refuses settings changes to non-admins and preference changes outside the mobile app', async () => {
    const user = await userWithPhone(`u2-${randomUUID().slice(0, 6)}@acme.example`);

    const notAdmin = await api.call('PUT', '/v1/workspace/notification-settings', {
      token: user.token,
      device: user.web,
      body: { account_shared: { enabled: false, enforced: false } },
    });
    const fromWeb = await api.call('PUT', '/v1/me/notification-preferences', {
      token: user.token,
      device: user.web,
      body: { account_shared: { enabled: false } },
    });
    const unknownType = await api.call('PUT', '/v1/workspace/notification-settings', {
      token: owner.token,
      device: owner.web,
      body: { fax_received: { enabled: true, enforced: false } },
    });
    const readable = await api.call('GET', '/v1/workspace/notification-settings', {
      token: user.token,
      device: user.web,
    });

    expect(notAdmin).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(fromWeb).toMatchObject({ status: 403, body: { error: 'client_type_not_allowed' } });
    expect(unknownType).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(readable.status).toBe(200);
  });

  it('lists notifications with the outcome of the request they carried', async () => {
    const user = await userWithPhone(`lia-${randomUUID().slice(0, 6)}@acme.example`);
    const pending = await newDeviceRequest(user.token);
    await api.call('POST', `/v1/devices/${pending}/deny`, { token: user.token, device: user.phone });

    const listed = await api.call('GET', '/v1/me/notifications?limit=1', {
      token: user.token,
      device: user.phone,
    });
    const next = await api.call('GET', `/v1/me/notifications?limit=1&cursor=${listed.body.nextCursor}`, {
      token: user.token,
      device: user.phone,
    });
    const bad = await api.call('GET', '/v1/me/notifications?cursor=nope', {
      token: user.token,
      device: user.phone,
    });

    expect(listed.body.items[0]).toMatchObject({
      type: 'trusted_device_request',
      data: { deviceId: pending },
      outcome: 'denied',
    });
    expect(next.body.items[0]).toMatchObject({ type: 'trusted_device_request', outcome: 'approved' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
  });

  it('marks the registration inactive when SNS disables the endpoint, and re-registering revives it', async () => {
    const user = await userWithPhone(`kim-${randomUUID().slice(0, 6)}@acme.example`);
    await api.call('PUT', `/v1/devices/${user.phoneId}/push-registration`, {
      token: user.token,
      device: user.phone,
      body: { platform: 'APNS', token: 'apns-token-kim-0001' },
    });
    await newDeviceRequest(user.token);
    const [first] = await pushesTo(user.phoneId);
    expect(stack.push.disableEndpoint(first.endpointArn)).toBe(true);

    await newDeviceRequest(user.token);
    await stack.push.drain();
    const inactive = await api.call('GET', '/v1/devices/current', { token: user.token, device: user.phone });
    await api.call('PUT', `/v1/devices/${user.phoneId}/push-registration`, {
      token: user.token,
      device: user.phone,
      body: { platform: 'APNS', token: 'apns-token-kim-0002' },
    });
    await newDeviceRequest(user.token);
    const revived = await api.call('GET', '/v1/devices/current', { token: user.token, device: user.phone });

    expect(inactive.body.device.push).toEqual({ platform: 'APNS', active: false });
    expect(revived.body.device.push).toEqual({ platform: 'APNS', active: true });
    expect(await pushesTo(user.phoneId)).toHaveLength(2);
  });

  it('deletes a deprovisioned user’s push endpoints through outbox, relay, push queue and fan-out, even when SQS fails first', async () => {
    const member = await userWithPhone(`dee-${randomUUID().slice(0, 6)}@acme.example`);
    await api.call('PUT', `/v1/devices/${member.phoneId}/push-registration`, {
      token: member.token,
      device: member.phone,
      body: { platform: 'APNS', token: 'apns-token-dee-0001' },
    });
    await newDeviceRequest(member.token);
    const [push] = await pushesTo(member.phoneId);
    const me = await api.call('GET', '/v1/me', { token: member.token });
    const queues = async () => (await api.call('GET', '/_local/queues')).body;
    const pushQueue = async () =>
      (await queues()).queues.find((q: { name: string }) => q.name === 'latchkey-local-push');
    await stack.push.drain();
    const before = await pushQueue();
    expect(stack.push.hasEndpoint(push.endpointArn)).toBe(true);
    // The relay's first two sends to the push queue fail: the stream record is retried, not lost.
    await api.call('POST', '/_local/queues/latchkey-local-push/fail-sends', { body: { count: 2 } });

    const done = await api.call('POST', `/v1/users/${me.body.user.id}/deprovision`, {
      token: owner.token,
      device: owner.web,
    });
    await stack.push.drain();
    const after = await queues();

    expect(done).toMatchObject({ status: 200, body: { user: { status: 'deprovisioned' } } });
    expect(stack.push.hasEndpoint(push.endpointArn)).toBe(false);
    // The deletion was a queued job the fan-out consumed, and nothing went to a dead-letter list.
    expect((await pushQueue()).deleted).toBeGreaterThan(before.deleted);
    expect((await pushQueue()).deadLetters).toEqual(before.deadLetters);
    expect(after.streams[0].deadLetters).toEqual([]);
    expect(
      after.events.some(
        (event: { type: string; detail: { userId?: string } }) =>
          event.type === 'user.deprovisioned' && event.detail.userId === me.body.user.id,
      ),
    ).toBe(true);
  });

  it('refuses push registration for another device or from a web session', async () => {
    const user = await userWithPhone(`zo-${randomUUID().slice(0, 6)}@acme.example`);
    const body = { platform: 'APNS', token: 'apns-token-zo-0001' };

    const otherDevice = await api.call('PUT', '/v1/devices/dev_someone/push-registration', {
      token: user.token,
      device: user.phone,
      body,
    });
    const fromWeb = await api.call('PUT', `/v1/devices/${user.phoneId}/push-registration`, {
      token: user.token,
      device: user.web,
      body,
    });

    expect(otherDevice).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(fromWeb).toMatchObject({ status: 403, body: { error: 'client_type_not_allowed' } });
  });
});
