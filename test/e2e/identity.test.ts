import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { captureLogs } from '../support/http-event';
import { appears, client, storedItems } from './client';

describe('identity confirmation over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  const logs = captureLogs();

  beforeAll(async () => {
    stack = await bootInMemoryStack({
      quiet: true,
      env: { POWERTOOLS_LOG_LEVEL: 'INFO', WEB_BASE_URL: 'https://app.latchkey.test' },
    });
    api = client(stack);
  });
  afterAll(async () => {
    logs.restore();
    await stack?.stop();
  });

  /** `call` plus the confirmation header, which the shared client does not send. */
  async function confirmed(
    method: string,
    path: string,
    auth: { token: string; device: string },
    id?: string,
  ) {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${auth.token}`,
        'x-latchkey-device': auth.device,
        ...(id ? { 'x-latchkey-confirmation': id } : {}),
      },
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
    const body: any = text ? JSON.parse(text) : undefined;
    return { status: response.status, body };
  }

  /**
   * The owner of a freshly bootstrapped workspace (or a member of `workspace`): a trusted web session by
   * code and, unless told otherwise, a trusted phone approved from the web with a push registration.
   */
  async function ownerWithPhone(options: { phone?: boolean; workspace?: string } = {}) {
    const email = `owner-${randomUUID().slice(0, 6)}@acme.example`;
    const workspace = options.workspace ?? (await api.bootstrap(`idc-${randomUUID().slice(0, 8)}`, email));
    const token = await api.token(email, workspace);
    const web = await api.call('POST', '/v1/devices', {
      token,
      body: { clientType: 'web', os: 'macOS', browser: 'Chrome' },
    });
    const code = await api.emailedCode(email);
    await api.call('POST', `/v1/devices/${web.body.device.id}/verify`, {
      token,
      device: web.body.credential,
      body: { code },
    });
    const user = {
      email,
      workspace,
      token,
      web: web.body.credential as string,
      webId: web.body.device.id as string,
      phone: '',
      phoneId: '',
    };
    if (options.phone === false) return user;
    const phone = await api.call('POST', '/v1/devices', { token, body: { clientType: 'mobile', os: 'iOS' } });
    await api.call('POST', `/v1/devices/${phone.body.device.id}/approve`, {
      token,
      device: user.web,
      body: { number: phone.body.device.numberToMatch },
    });
    user.phone = phone.body.credential;
    user.phoneId = phone.body.device.id;
    await api.call('PUT', `/v1/devices/${user.phoneId}/push-registration`, {
      token,
      device: user.phone,
      body: { platform: 'APNS', token: `apns-${randomUUID()}` },
    });
    return user;
  }

  type Owner = Awaited<ReturnType<typeof ownerWithPhone>>;
  const asWeb = (user: Owner) => ({ token: user.token, device: user.web });
  const scimToken = (user: Owner, id?: string) =>
    confirmed('POST', '/v1/workspace/scim-token', asWeb(user), id);

  async function approve(user: Owner, challengeId: string, number: string) {
    return api.call('POST', `/v1/identity-challenges/${challengeId}/approve`, {
      token: user.token,
      device: user.phone,
      body: { number },
    });
  }

  it('confirms by push with number matching, then the retry passes within the reuse window', async () => {
    const owner = await ownerWithPhone();

    const first = await scimToken(owner);
    const again = await scimToken(owner);
    const challenge = first.body.challenge;
    const pushes = (await api.call('GET', '/_local/outbox/push')).body.items.filter(
      (push: { deviceId: string }) => push.deviceId === owner.phoneId,
    );
    const pending = await api.call('GET', '/v1/identity-challenges/pending', {
      token: owner.token,
      device: owner.phone,
    });
    const approved = await approve(owner, challenge.id, challenge.numberToMatch);
    const polled = await api.call('GET', `/v1/identity-challenges/${challenge.id}`, {
      token: owner.token,
      device: owner.web,
    });
    const retried = await scimToken(owner, challenge.id);
    const reused = await scimToken(owner, challenge.id);

    expect(first.status).toBe(403);
    expect(first.body).toMatchObject({
      error: 'identity_confirmation_required',
      challenge: { action: 'scim_token.retrieve', methods: ['push'] },
    });
    expect(challenge.numberToMatch).toMatch(/^\d{2}$/);
    expect(again.body.challenge).toEqual(challenge);
    expect(pushes.filter((p: { type: string }) => p.type === 'identity_verification_request')).toHaveLength(
      1,
    );
    // The phone can answer from the notification: the push carries the three candidates.
    expect(pushes[0].data).toEqual({ challengeId: challenge.id, candidates: expect.any(String) });
    expect(pending.status).toBe(200);
    expect(pending.body.items).toHaveLength(1);
    const item = pending.body.items[0];
    expect(pushes[0].data.candidates.split(',').sort()).toEqual([...item.candidates].sort());
    expect(item).toMatchObject({
      id: challenge.id,
      action: 'scim_token.retrieve',
      actionLabel: 'Retrieve the SCIM token',
      requestingDevice: { id: owner.webId, os: 'macOS', browser: 'Chrome', clientType: 'web' },
    });
    expect(item.requestingDevice.ip).toBeTruthy();
    expect(item.candidates).toHaveLength(3);
    expect(new Set(item.candidates).size).toBe(3);
    expect(item.candidates).toContain(challenge.numberToMatch);
    expect(approved).toMatchObject({ status: 200, body: { challenge: { status: 'approved' } } });
    expect(polled.body.challenge).toMatchObject({ id: challenge.id, status: 'approved' });
    expect(polled.body.challenge.numberToMatch).toBeUndefined();
    api.secrets.add(retried.body.token.split('.')[1]);
    api.secrets.add(reused.body.token.split('.')[1]);
    expect(retried.status).toBe(201);
    expect(retried.body.token).toMatch(/^[\w-]+\.[\w-]{43}$/);
    expect(reused.status).toBe(201);
    expect(reused.body.token).not.toBe(retried.body.token);
  });

  it('denies on a wrong number; the challenge cannot be answered again and gives no access', async () => {
    const owner = await ownerWithPhone();
    const { challenge } = (await scimToken(owner)).body;
    const pending = await api.call('GET', '/v1/identity-challenges/pending', {
      token: owner.token,
      device: owner.phone,
    });
    const wrong = pending.body.items[0].candidates.find((n: string) => n !== challenge.numberToMatch);

    const denied = await approve(owner, challenge.id, wrong);
    const second = await approve(owner, challenge.id, challenge.numberToMatch);
    const polled = await api.call('GET', `/v1/identity-challenges/${challenge.id}`, {
      token: owner.token,
      device: owner.web,
    });
    const retried = await scimToken(owner, challenge.id);

    expect(denied).toMatchObject({ status: 400, body: { error: 'wrong_number' } });
    expect(second).toMatchObject({ status: 409, body: { error: 'challenge_not_pending' } });
    expect(polled.body.challenge).toMatchObject({ status: 'denied', reason: 'wrong_number' });
    expect(retried.status).toBe(403);
    expect(retried.body.challenge.id).not.toBe(challenge.id);
  });

  it('refuses an approved challenge replayed by another device or another user', async () => {
    const owner = await ownerWithPhone();
    const { challenge } = (await scimToken(owner)).body;
    await approve(owner, challenge.id, challenge.numberToMatch);
    // A second trusted web session of the same user, approved from the first.
    const other = await api.call('POST', '/v1/devices', {
      token: owner.token,
      body: { clientType: 'web', os: 'Linux', browser: 'Firefox' },
    });
    await api.call('POST', `/v1/devices/${other.body.device.id}/approve`, {
      body: { number: other.body.device.numberToMatch },
      token: owner.token,
      device: owner.web,
    });
    // Another user of another workspace (the owner of theirs) presenting the same id.
    const stranger = await ownerWithPhone();

    const otherDevice = await confirmed(
      'POST',
      '/v1/workspace/scim-token',
      { token: owner.token, device: other.body.credential },
      challenge.id,
    );
    const otherUser = await scimToken(stranger, challenge.id);
    const strangerPoll = await api.call('GET', `/v1/identity-challenges/${challenge.id}`, {
      token: stranger.token,
      device: stranger.web,
    });
    const owners = await scimToken(owner, challenge.id);

    expect(otherDevice).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(otherDevice.body.challenge.id).not.toBe(challenge.id);
    expect(otherUser).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(strangerPoll.status).toBe(404);
    expect(owners.status).toBe(201);
  });

  it('confirms by email magic link: GETs change nothing, one POST approves, a second POST fails', async () => {
    const owner = await ownerWithPhone();
    const settings = await api.call('PUT', '/v1/workspace/identity-confirmation', {
      token: owner.token,
      device: owner.web,
      body: { methods: ['push', 'email_magic_link'] },
    });
    const { challenge } = (await scimToken(owner)).body;

    const emailed = await api.call('POST', `/v1/identity-challenges/${challenge.id}/email`, {
      token: owner.token,
      device: owner.web,
    });
    const mail = (await stack.sentEmails())
      .filter((m) => m.destination.to.includes(owner.email) && /Confirm your identity/.test(m.subject))
      .at(-1);
    const link = /(https:\/\/app\.latchkey\.test\/confirm#([\w-]+))/.exec(mail?.body.text ?? '');
    const token = link?.[2] ?? '';
    api.secrets.add(token);
    const path = `/v1/identity-challenges/magic-link/${token}`;
    const firstGet = await api.call('GET', path);
    const secondGet = await api.call('GET', path);
    const stillPending = await api.call('GET', `/v1/identity-challenges/${challenge.id}`, {
      token: owner.token,
      device: owner.web,
    });
    const confirmedLink = await api.call('POST', `${path}/confirm`);
    const retried = await scimToken(owner, challenge.id);
    const again = await api.call('POST', `${path}/confirm`);
    const afterGet = await api.call('GET', path);
    const unknown = await api.call('POST', `/v1/identity-challenges/magic-link/${'x'.repeat(43)}/confirm`);

    expect(settings.body.settings).toMatchObject({ methods: ['push', 'email_magic_link'], default: 'push' });
    expect(challenge.methods).toEqual(['push', 'email_magic_link']);
    expect(emailed.status).toBe(202);
    expect(mail?.subject).toBe('Action required: Confirm your identity');
    expect(token).toHaveLength(43);
    expect(firstGet).toMatchObject({
      status: 200,
      body: { challenge: { action: 'scim_token.retrieve', requestingDevice: { os: 'macOS' } } },
    });
    expect(secondGet.body).toEqual(firstGet.body);
    expect(stillPending.body.challenge.status).toBe('pending');
    expect(confirmedLink).toMatchObject({
      status: 200,
      body: { challenge: { id: challenge.id, status: 'approved' } },
    });
    expect(retried.status).toBe(201);
    expect(again).toMatchObject({ status: 410, body: { error: 'link_invalid' } });
    expect(afterGet).toMatchObject({ status: 410, body: { error: 'link_invalid' } });
    expect(unknown.body).toEqual(again.body);
  });

  it('deny and report: cancels pending challenges, blocks push for the user and alerts admins', async () => {
    const owner = await ownerWithPhone();
    // A second trusted web session with its own pending challenge for the same action.
    const laptop = await api.call('POST', '/v1/devices', {
      token: owner.token,
      body: { clientType: 'web', os: 'Windows', browser: 'Edge' },
    });
    await api.call('POST', `/v1/devices/${laptop.body.device.id}/approve`, {
      body: { number: laptop.body.device.numberToMatch },
      token: owner.token,
      device: owner.web,
    });
    const asLaptop = { token: owner.token, device: laptop.body.credential as string };
    const { challenge } = (await scimToken(owner)).body;
    const other = (await confirmed('POST', '/v1/workspace/scim-token', asLaptop)).body.challenge;

    const reported = await api.call('POST', `/v1/identity-challenges/${challenge.id}/deny`, {
      token: owner.token,
      device: owner.phone,
      body: { report: true },
    });
    const pending = await api.call('GET', '/v1/identity-challenges/pending', {
      token: owner.token,
      device: owner.phone,
    });
    const cancelled = await api.call('GET', `/v1/identity-challenges/${other.id}`, asLaptop);
    const blocked = await scimToken(owner);
    await api.call('PUT', '/v1/workspace/identity-confirmation', {
      token: owner.token,
      device: owner.web,
      body: { methods: ['push', 'email_magic_link'] },
    });
    const emailOnly = await scimToken(owner);
    const alerts = (await stack.sentEmails()).filter(
      (m) => m.destination.to.includes(owner.email) && /reported as suspicious/.test(m.subject),
    );

    expect(reported).toMatchObject({
      status: 200,
      body: { challenge: { status: 'denied', reason: 'reported' } },
    });
    expect(other.id).not.toBe(challenge.id);
    expect(pending.body.items).toHaveLength(0);
    expect(cancelled.body.challenge).toMatchObject({ status: 'denied', reason: 'cancelled' });
    expect(blocked).toMatchObject({ status: 409, body: { error: 'no_confirmation_method' } });
    expect(blocked.body.message).toMatch(/blocked/);
    expect(emailOnly.body.challenge.methods).toEqual(['email_magic_link']);
    expect(emailOnly.body.challenge.numberToMatch).toBeUndefined();
    expect(alerts).toHaveLength(1);
  });

  it('answers 409 no_confirmation_method to a user with no trusted phone and email links off', async () => {
    const owner = await ownerWithPhone({ phone: false });

    const response = await scimToken(owner);

    expect(response).toMatchObject({ status: 409, body: { error: 'no_confirmation_method' } });
    expect(response.body.message).toMatch(/mobile app/);
  });

  it('caps challenges at 10 per user per hour', async () => {
    const owner = await ownerWithPhone();
    for (let i = 0; i < 10; i++) {
      const { body } = await scimToken(owner);
      expect(body.error).toBe('identity_confirmation_required');
      await api.call('POST', `/v1/identity-challenges/${body.challenge.id}/deny`, {
        token: owner.token,
        device: owner.phone,
        body: {},
      });
    }

    const eleventh = await scimToken(owner);

    expect(eleventh).toMatchObject({ status: 429, body: { error: 'too_many_challenges' } });
    expect(eleventh.body.retryAfter).toBeGreaterThan(0);
  });

  it('limits pushes to 3 per challenge', async () => {
    const owner = await ownerWithPhone();
    const { challenge } = (await scimToken(owner)).body;
    const resend = () =>
      api.call('POST', `/v1/identity-challenges/${challenge.id}/resend`, {
        token: owner.token,
        device: owner.web,
      });

    const second = await resend();
    const third = await resend();
    const fourth = await resend();

    expect([second.status, third.status]).toEqual([202, 202]);
    expect(fourth).toMatchObject({ status: 429, body: { error: 'push_limit_reached' } });
  });

  // Last: reads everything the suite wrote and logged.
  it('stores and logs none of the link tokens, SCIM tokens or numbers it used', async () => {
    const stored = await storedItems(stack);
    const logged = logs.lines.join('');
    const events = logs.json().filter((line) => typeof line.securityEvent === 'string');

    expect(stored).toContain('IDCHALLENGE#');
    expect(api.secrets.size).toBeGreaterThan(10);
    for (const secret of api.secrets) {
      expect(appears(secret, stored), `table holds ${secret.slice(0, 3)}...`).toBe(false);
      expect(appears(secret, logged), `logs hold ${secret.slice(0, 3)}...`).toBe(false);
    }
    expect(events.map((e) => e.securityEvent)).toEqual(
      expect.arrayContaining([
        'identity.challenge_issued',
        'identity.confirmed',
        'identity.denied',
        'identity.reported',
      ]),
    );
    for (const event of events) expect(Object.keys(event)).not.toEqual(expect.arrayContaining(['number']));
    expect(logged).not.toContain('numberToMatch');
    expect(logged).not.toContain('candidates');
  });
});
