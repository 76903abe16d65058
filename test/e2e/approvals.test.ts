import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { trustedWebSession } from '../support/e2e-devices';
import { captureLogs } from '../support/http-event';
import { client } from './client';

describe('device approvals over HTTP (number matching, caps, remind me later)', () => {
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

  const newEmail = () => `appr-${randomUUID().slice(0, 8)}@acme.example`;

  async function trustedWeb(email = newEmail()) {
    const session = await trustedWebSession(api, email, { device: { browser: 'Chrome' } });
    return { email, ...session };
  }

  const registerPhone = (token: string, n = 1) =>
    api.call('POST', '/v1/devices', {
      token,
      body: { clientType: 'mobile', os: 'iOS', model: `Phone ${n}` },
    });

  it('shows the number on the new device and three candidates to the approver; only the right one trusts', async () => {
    const web = await trustedWeb();
    const phone = await registerPhone(web.token);
    const current = await api.call('GET', '/v1/devices/current', {
      token: web.token,
      device: phone.body.credential,
    });
    const listed = await api.call('GET', '/v1/devices', { token: web.token, device: web.credential });
    const pending = listed.body.items.find((d: { id: string }) => d.id === phone.body.device.id);

    const missing = await api.call('POST', `/v1/devices/${phone.body.device.id}/approve`, {
      token: web.token,
      device: web.credential,
    });
    const malformed = await api.call('POST', `/v1/devices/${phone.body.device.id}/approve`, {
      token: web.token,
      device: web.credential,
      body: { number: '7' },
    });
    const approved = await api.call('POST', `/v1/devices/${phone.body.device.id}/approve`, {
      token: web.token,
      device: web.credential,
      body: { number: phone.body.device.numberToMatch },
    });

    expect(phone.body.device.numberToMatch).toMatch(/^\d{2}$/);
    expect(phone.body.device).not.toHaveProperty('candidates');
    expect(current.body.device.numberToMatch).toBe(phone.body.device.numberToMatch);
    expect(pending.candidates).toHaveLength(3);
    expect(pending.candidates).toContain(phone.body.device.numberToMatch);
    expect(pending).not.toHaveProperty('numberToMatch');
    expect(missing).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(malformed).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(approved).toMatchObject({ status: 200, body: { device: { status: 'trusted' } } });
    expect(approved.body.device).not.toHaveProperty('numberToMatch');
  });

  it('denies the request on a wrong number', async () => {
    const web = await trustedWeb();
    const phone = await registerPhone(web.token);
    const listed = await api.call('GET', '/v1/devices', { token: web.token, device: web.credential });
    const candidates: string[] = listed.body.items[0].candidates;
    const wrong = candidates.find((n) => n !== phone.body.device.numberToMatch);

    const answer = await api.call('POST', `/v1/devices/${phone.body.device.id}/approve`, {
      token: web.token,
      device: web.credential,
      body: { number: wrong },
    });
    const current = await api.call('GET', '/v1/devices/current', {
      token: web.token,
      device: phone.body.credential,
    });

    expect(answer).toMatchObject({ status: 400, body: { error: 'wrong_number' } });
    expect(current.body.device.status).toBe('denied');
    expect(current.body.device).not.toHaveProperty('numberToMatch');
  });

  it('refuses a 4th waiting approval request with 429 and Retry-After, creating nothing', async () => {
    const web = await trustedWeb();
    for (const n of [1, 2, 3]) expect((await registerPhone(web.token, n)).status).toBe(201);

    const fourth = await registerPhone(web.token, 4);
    const listed = await api.call('GET', '/v1/devices', { token: web.token, device: web.credential });

    expect(fourth).toMatchObject({
      status: 429,
      body: { error: 'approval_limit_reached', reason: 'pending_cap', retryAfter: expect.any(Number) },
    });
    expect(fourth.headers.get('retry-after')).toBe(String(fourth.body.retryAfter));
    expect(listed.body.items).toHaveLength(4);
  });

  it('lets a waiting device read /v1/me and a reduced device list, then switch to an emailed code', async () => {
    const web = await trustedWeb();
    const phone = await registerPhone(web.token);
    const as = { token: web.token, device: phone.body.credential };

    const me = await api.call('GET', '/v1/me', as);
    const meTrusted = await api.call('GET', '/v1/me', { token: web.token, device: web.credential });
    const meNoDevice = await api.call('GET', '/v1/me', { token: web.token });
    const reduced = await api.call('GET', '/v1/devices', as);
    const refused = await api.call('GET', '/v1/me/notifications', as);
    const switched = await api.call('POST', `/v1/devices/${phone.body.device.id}/switch-to-code`, as);
    const code = await api.emailedCode(web.email);
    const verified = await api.call('POST', `/v1/devices/${phone.body.device.id}/verify`, {
      ...as,
      body: { code },
    });

    expect(me.body.session).toEqual({ deviceId: phone.body.device.id, trusted: false });
    expect(meTrusted.body.session).toEqual({ deviceId: web.deviceId, trusted: true });
    expect(meNoDevice.body).not.toHaveProperty('session');
    expect(reduced.body.reduced).toBe(true);
    for (const item of reduced.body.items) {
      expect(Object.keys(item).sort()).toEqual(['clientType', 'current', 'id', 'name', 'status']);
    }
    expect(refused).toMatchObject({ status: 403, body: { error: 'device_not_trusted' } });
    expect(switched).toMatchObject({ status: 202, body: { verification: { method: 'email_code' } } });
    expect(verified.body.device).toMatchObject({ status: 'trusted', name: phone.body.device.name });
  });

  it('refuses switching to a code after a deny and report, and pauses approval requests', async () => {
    const web = await trustedWeb();
    const phone = await registerPhone(web.token);

    const reported = await api.call('POST', `/v1/devices/${phone.body.device.id}/deny`, {
      token: web.token,
      device: web.credential,
      body: { report: true },
    });
    const switched = await api.call('POST', `/v1/devices/${phone.body.device.id}/switch-to-code`, {
      token: web.token,
      device: phone.body.credential,
    });
    const next = await registerPhone(web.token, 2);

    expect(reported.body.device.status).toBe('denied');
    expect(switched).toMatchObject({ status: 409, body: { error: 'switch_not_allowed' } });
    expect(next).toMatchObject({
      status: 429,
      body: { error: 'approval_limit_reached', reason: 'reported' },
    });
  });

  it('strips control and bidi characters from device names and flags the device', async () => {
    const web = await trustedWeb();

    const renamed = await api.call('PATCH', `/v1/devices/${web.deviceId}`, {
      token: web.token,
      device: web.credential,
      body: { name: 'Work\u202E laptop\u0007' },
    });
    const registered = await api.call('POST', '/v1/devices', {
      token: web.token,
      body: { clientType: 'web', os: 'Linux\u2066', browser: 'Firefox', name: '\u202Dkiosk' },
    });

    expect(renamed.body.device).toMatchObject({ name: 'Work laptop', flags: ['sanitized'] });
    expect(registered.body.device).toMatchObject({ name: 'kiosk', os: 'Linux', flags: ['sanitized'] });
    expect(renamed.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 400 invalid_cursor to a crafted inbox cursor (it was a 500), and cleans account names', async () => {
    const web = await trustedWeb();
    // With an account, the inbox query runs: a decoded `MESSAGE#` bound made DynamoDB refuse it.
    const account = await api.call('POST', '/v1/accounts', {
      token: web.token,
      device: web.credential,
      body: { appName: 'Acme \u202EsdA', username: 'ads@acme.example', password: 'x' },
    });

    const crafted = await api.call('GET', '/v1/inbox?cursor=TUVTU0FHRSM', {
      token: web.token,
      device: web.credential,
    });

    expect(account).toMatchObject({
      status: 201,
      body: { account: { appName: 'Acme sdA', flags: ['sanitized'] } },
    });
    expect(crafted).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
  });
});
