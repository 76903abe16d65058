import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import type { LocalStack } from '../../local/stack';
import { deviceKeys } from '../../shared/adapters/dynamodb/device-repository';
import { trustedWebSession } from '../support/e2e-devices';
import { captureLogs } from '../support/http-event';
import { appears, client, storedItems } from './client';

describe('trusted devices over HTTP', () => {
  let stack: LocalStack;
  let logs: ReturnType<typeof captureLogs>;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    logs = captureLogs();
    stack = await bootInMemoryStack();
    api = client(stack);
  });
  afterAll(async () => {
    logs?.restore();
    await stack?.stop();
  });

  const newEmail = () => `e2e-${randomUUID().slice(0, 8)}@acme.example`;

  /** Registers and verifies a first web device by emailed code; returns what later steps need. */
  async function trustedWeb(email = newEmail()) {
    const session = await trustedWebSession(api, email, { device: { browser: 'Chrome', model: 'MacBook' } });
    return { email, ...session };
  }

  async function setHeldSlots(userId: string, held: number) {
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...LOCAL_AWS, endpoint: stack.dynamodbEndpoint }),
    );
    await doc.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: deviceKeys.slots(userId),
        UpdateExpression: 'SET #held = :held',
        ExpressionAttributeNames: { '#held': 'held' },
        ExpressionAttributeValues: { ':held': held },
      }),
    );
  }

  async function register(token: string, body: Record<string, unknown>) {
    const response = await api.call('POST', '/v1/devices', { token, body });
    if (response.body?.credential) api.secrets.add(response.body.credential);
    return response;
  }

  it('sets up a first device by emailed code, visible in the SES emulator', async () => {
    const email = newEmail();
    const token = await api.token(email);

    const registered = await register(token, {
      clientType: 'web',
      os: 'macOS',
      browser: 'Chrome',
      model: 'MacBook',
    });
    const credential = registered.body.credential;
    const pending = await api.call('GET', '/v1/devices/current', { token, device: credential });
    const code = await api.emailedCode(email);
    const verified = await api.call('POST', `/v1/devices/${registered.body.device.id}/verify`, {
      token,
      device: credential,
      body: { code },
    });
    const listed = await api.call('GET', '/v1/devices', { token, device: credential });

    expect(registered.body).toMatchObject({
      device: {
        status: 'pending_verification',
        name: `${email.split('@')[0]} MacBook - macOS/Chrome`,
        current: true,
      },
      verification: { method: 'email_code', expiresAt: expect.any(String) },
    });
    expect(registered.body.device).not.toHaveProperty('credentialHash');
    expect(pending.body.device.status).toBe('pending_verification');
    expect(verified).toMatchObject({ status: 200, body: { device: { status: 'trusted' } } });
    expect(listed.body).toMatchObject({
      items: [{ id: registered.body.device.id, current: true }],
      nextCursor: null,
    });
    const mails = (await stack.sentEmails()).filter((m) => m.destination.to.includes(email));
    expect(mails.map((m) => m.subject)).toEqual([
      'Your Latchkey verification code',
      'New device trusted on your Latchkey account',
    ]);
    expect(mails[1]?.body.text).toContain('MacBook');
  });

  it('sets up a second device by approval from the trusted web session', async () => {
    const web = await trustedWeb();

    const mobile = await register(web.token, { clientType: 'mobile', os: 'iOS' });
    const notifications = await api.call('GET', '/v1/me/notifications', {
      token: web.token,
      device: web.credential,
    });
    const listed = await api.call('GET', '/v1/devices', { token: web.token, device: web.credential });
    const approved = await api.call('POST', `/v1/devices/${mobile.body.device.id}/approve`, {
      body: { number: mobile.body.device.numberToMatch },
      token: web.token,
      device: web.credential,
    });
    const current = await api.call('GET', '/v1/devices/current', {
      token: web.token,
      device: mobile.body.credential,
    });
    const again = await api.call('POST', `/v1/devices/${mobile.body.device.id}/approve`, {
      body: { number: mobile.body.device.numberToMatch },
      token: web.token,
      device: web.credential,
    });

    expect(mobile.body.verification.method).toBe('approval');
    expect(notifications.body.items[0]).toMatchObject({
      type: 'trusted_device_request',
      data: { deviceId: mobile.body.device.id },
      outcome: 'pending',
    });
    expect(listed.body.items[0]).toMatchObject({ id: mobile.body.device.id, status: 'pending_approval' });
    expect(approved).toMatchObject({ status: 200, body: { device: { status: 'trusted' } } });
    expect(current.body.device.status).toBe('trusted');
    expect(again).toMatchObject({ status: 409, body: { error: 'not_pending' } });
  });

  it('takes the code path when the user says the trusted device is not at hand, and for extensions', async () => {
    const web = await trustedWeb();

    const away = await register(web.token, { clientType: 'web', os: 'Linux', noTrustedDeviceAtHand: true });
    const extension = await register(web.token, { clientType: 'extension', os: 'macOS', browser: 'Firefox' });

    expect(away.body.verification.method).toBe('email_code');
    expect(extension.body.verification.method).toBe('email_code');
  });

  it('denies a device: it is refused from then on, and not told why', async () => {
    const web = await trustedWeb();
    const other = await register(web.token, { clientType: 'web', os: 'Windows', browser: 'Edge' });

    const denied = await api.call('POST', `/v1/devices/${other.body.device.id}/deny`, {
      token: web.token,
      device: web.credential,
    });
    const refused = await api.call('GET', '/v1/devices', { token: web.token, device: other.body.credential });
    const status = await api.call('GET', '/v1/devices/current', {
      token: web.token,
      device: other.body.credential,
    });

    expect(denied.body.device.status).toBe('denied');
    expect(refused).toMatchObject({ status: 403, body: { error: 'device_not_trusted' } });
    expect(status.body.device).toEqual(expect.objectContaining({ status: 'denied' }));
    expect(JSON.stringify(status.body)).not.toMatch(/reason/);
  });

  it('disables a device from the web app; its next request is refused', async () => {
    const web = await trustedWeb();
    const mobile = await register(web.token, { clientType: 'mobile', os: 'Android' });
    await api.call('POST', `/v1/devices/${mobile.body.device.id}/approve`, {
      body: { number: mobile.body.device.numberToMatch },
      token: web.token,
      device: web.credential,
    });
    expect(
      (await api.call('GET', '/v1/devices', { token: web.token, device: mobile.body.credential })).status,
    ).toBe(200);

    const disabled = await api.call('POST', `/v1/devices/${mobile.body.device.id}/disable`, {
      token: web.token,
      device: web.credential,
    });
    const next = await api.call('GET', '/v1/devices', { token: web.token, device: mobile.body.credential });

    expect(disabled.body.device.status).toBe('disabled');
    expect(next).toMatchObject({
      status: 403,
      body: { error: 'device_not_trusted', deviceStatus: 'disabled' },
    });
  });

  it('renames a device from the web app and refuses a taken name', async () => {
    const web = await trustedWeb();
    await register(web.token, { clientType: 'web', os: 'Linux', name: 'Kitchen PC' });

    const renamed = await api.call('PATCH', `/v1/devices/${web.deviceId}`, {
      token: web.token,
      device: web.credential,
      body: { name: 'Office Mac' },
    });
    const taken = await api.call('PATCH', `/v1/devices/${web.deviceId}`, {
      token: web.token,
      device: web.credential,
      body: { name: 'kitchen pc' },
    });

    expect(renamed.body.device.name).toBe('Office Mac');
    expect(taken).toMatchObject({ status: 409, body: { error: 'device_name_taken' } });
  });

  it('deprovisions a user: devices disabled at once and the next request refused', async () => {
    const alice = await trustedWeb('alice@acme.example');
    const member = await trustedWeb();
    const me = await api.call('GET', '/v1/me', { token: member.token });

    const done = await api.call('POST', `/v1/users/${me.body.user.id}/deprovision`, {
      token: alice.token,
      device: alice.credential,
    });
    const next = await api.call('GET', '/v1/devices/current', {
      token: member.token,
      device: member.credential,
    });

    expect(done).toMatchObject({ status: 200, body: { user: { status: 'deprovisioned' } } });
    expect(next).toMatchObject({ status: 403, body: { error: 'user_deprovisioned' } });
  });

  describe('error codes', () => {
    it('401 device_credential_required, 401 unauthorized for garbage or another user’s credential', async () => {
      const web = await trustedWeb();
      const stranger = await trustedWeb();

      const missing = await api.call('GET', '/v1/devices', { token: web.token });
      const garbage = await api.call('GET', '/v1/devices', {
        token: web.token,
        device: `${web.deviceId}.nope`,
      });
      const foreign = await api.call('GET', '/v1/devices', { token: web.token, device: stranger.credential });

      expect(missing).toMatchObject({ status: 401, body: { error: 'device_credential_required' } });
      expect(garbage).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
      expect(foreign).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    });

    it('403 device_not_trusted for a pending device, 403 client_type_not_allowed by client type', async () => {
      const web = await trustedWeb();
      const mobile = await register(web.token, { clientType: 'mobile', os: 'iOS' });
      const extension = await register(web.token, {
        clientType: 'extension',
        os: 'macOS',
        browser: 'Chrome',
      });
      await api.call('POST', `/v1/devices/${mobile.body.device.id}/approve`, {
        body: { number: mobile.body.device.numberToMatch },
        token: web.token,
        device: web.credential,
      });
      const code = await api.emailedCode(web.email);
      await api.call('POST', `/v1/devices/${extension.body.device.id}/verify`, {
        token: web.token,
        device: extension.body.credential,
        body: { code },
      });
      const pending = await register(web.token, { clientType: 'web', os: 'Linux' });

      // A pending device may list a reduced view of the devices ("remind me later"), nothing else.
      const notTrusted = await api.call('GET', '/v1/me/notifications', {
        token: web.token,
        device: pending.body.credential,
      });
      const fromExtension = await api.call('POST', `/v1/devices/${pending.body.device.id}/approve`, {
        body: { number: pending.body.device.numberToMatch },
        token: web.token,
        device: extension.body.credential,
      });
      const disableFromMobile = await api.call('POST', `/v1/devices/${pending.body.device.id}/disable`, {
        token: web.token,
        device: mobile.body.credential,
      });

      expect(notTrusted).toMatchObject({ status: 403, body: { error: 'device_not_trusted' } });
      expect(fromExtension).toMatchObject({ status: 403, body: { error: 'client_type_not_allowed' } });
      expect(disableFromMobile).toMatchObject({ status: 403, body: { error: 'client_type_not_allowed' } });
    });

    it('400 invalid_code with attemptsRemaining, then 429 too_many_attempts even for the right code', async () => {
      const email = newEmail();
      const token = await api.token(email);
      const device = await register(token, { clientType: 'web', os: 'macOS' });
      const code = await api.emailedCode(email);
      const wrong = code === '999999' ? '000000' : '999999';
      const verify = (value: string) =>
        api.call('POST', `/v1/devices/${device.body.device.id}/verify`, {
          token,
          device: device.body.credential,
          body: { code: value },
        });

      const first = await verify(wrong);
      for (let i = 0; i < 4; i++) await verify(wrong);
      const right = await verify(code);

      expect(first).toMatchObject({ status: 400, body: { error: 'invalid_code', attemptsRemaining: 4 } });
      expect(right).toMatchObject({ status: 429, body: { error: 'too_many_attempts' } });
    });

    it('409 not_pending on a second use; 400 validation_failed for a malformed code', async () => {
      const web = await trustedWeb();

      const reuse = await api.call('POST', `/v1/devices/${web.deviceId}/verify`, {
        token: web.token,
        device: web.credential,
        body: { code: '123456' },
      });
      const malformed = await api.call('POST', `/v1/devices/${web.deviceId}/verify`, {
        token: web.token,
        device: web.credential,
        body: { code: '12ab' },
      });

      expect(reuse).toMatchObject({ status: 409, body: { error: 'not_pending' } });
      expect(malformed).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    });

    it('429 resend_too_soon with retryAfter and a Retry-After header', async () => {
      const email = newEmail();
      const token = await api.token(email);
      const device = await register(token, { clientType: 'extension', os: 'macOS' });

      const resend = await api.call('POST', `/v1/devices/${device.body.device.id}/resend-code`, {
        token,
        device: device.body.credential,
      });

      expect(resend).toMatchObject({
        status: 429,
        body: { error: 'resend_too_soon', retryAfter: expect.any(Number) },
      });
      expect(Number(resend.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('409 device_limit_reached at the 21st device and 409 device_name_taken', async () => {
      const email = newEmail();
      const token = await api.token(email);
      expect((await register(token, { clientType: 'web', os: 'Linux', name: 'Box 0' })).status).toBe(201);
      // Registering 19 more within the hour would hit the email and approval caps first (those have
      // their own tests): the user's slot counter is set to 20 held slots directly.
      const me = await api.call('GET', '/v1/me', { token });
      await setHeldSlots(me.body.user.id, 20);

      const overLimit = await register(token, { clientType: 'web', os: 'Linux' });
      const otherToken = await api.token(newEmail());
      await register(otherToken, { clientType: 'web', os: 'Linux', name: 'Same' });
      const sameName = await register(otherToken, { clientType: 'web', os: 'Linux', name: 'SAME' });

      expect(overLimit).toMatchObject({ status: 409, body: { error: 'device_limit_reached', limit: 20 } });
      expect(sameName).toMatchObject({ status: 409, body: { error: 'device_name_taken' } });
    });

    it("404 for someone else's device id, 403 forbidden for a plain user deprovisioning", async () => {
      const web = await trustedWeb();
      const stranger = await trustedWeb();
      const me = await api.call('GET', '/v1/me', { token: stranger.token });

      const foreign = await api.call('POST', `/v1/devices/${stranger.deviceId}/disable`, {
        token: web.token,
        device: web.credential,
      });
      const forbidden = await api.call('POST', `/v1/users/${me.body.user.id}/deprovision`, {
        token: web.token,
        device: web.credential,
      });

      expect(foreign).toMatchObject({ status: 404, body: { error: 'not_found' } });
      expect(forbidden).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    });
  });

  // Last: reads everything the suite wrote and logged.
  it('stores and logs none of the codes, credentials or tokens it used', async () => {
    const stored = await storedItems(stack);
    const logged = logs.lines.join('');

    // Whole-token match, so a 6-digit code does not "appear" inside an epoch number or a hash.
    const someDeviceId = [...api.secrets].find((s) => s.startsWith('dev_'))?.split('.')[0] ?? '';
    expect(appears(someDeviceId, stored), 'the scan finds what is there').toBe(true);

    expect(api.secrets.size).toBeGreaterThan(20);
    for (const secret of api.secrets) {
      // A credential is `<deviceId>.<secret>`: the id is not secret, the part after the dot is.
      const secretPart = secret.startsWith('dev_') ? (secret.split('.')[1] ?? '') : secret;
      expect(appears(secretPart, stored), `table holds ${secretPart.slice(0, 3)}...`).toBe(false);
      expect(appears(secretPart, logged), `logs hold ${secretPart.slice(0, 3)}...`).toBe(false);
    }
    expect(logs.json().some((line) => line.securityEvent === 'device.code_verified')).toBe(true);
  });
});
