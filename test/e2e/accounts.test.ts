import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { trustedUser } from '../support/e2e-devices';
import { client } from './client';

describe('shared accounts, managed numbers and the shared inbox over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  const workspace = `acc-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
    api = client(stack);
    // Members join just in time (acme.example); no test here needs the workspace's owner.
    await api.bootstrap(workspace, `owner-${workspace}@acme.example`);
  });
  afterAll(() => stack?.stop());

  /** A user with a trusted web session (by code) and a trusted phone with push registered. */
  const member = (name: string) =>
    trustedUser(api, `${name}-${randomUUID().slice(0, 6)}@acme.example`, workspace);

  it('runs the whole flow: account, number, address, an SMS, both members see the code and get a push', async () => {
    const owner = await member('owner');
    const collaborator = await member('collab');
    const stranger = await member('stranger');

    const created = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: {
        appName: 'Acme Ads',
        loginUrl: 'https://ads.example.com/login',
        username: 'ads@acme.example',
        password: 'p@ss-Word-42',
      },
    });
    const id = created.body.account.id;
    const shared = await api.call('PUT', `/v1/accounts/${id}/members/${collaborator.userId}`, {
      token: owner.token,
      device: owner.web,
      body: { role: 'collaborator' },
    });
    const number = await api.call('POST', `/v1/accounts/${id}/phone-number`, {
      token: owner.token,
      device: owner.web,
      body: { type: 'non_voip' },
    });
    const address = await api.call('POST', `/v1/accounts/${id}/email-address`, {
      token: owner.token,
      device: owner.web,
    });
    const sms = {
      from: '+12025550123',
      to: number.body.phoneNumber,
      body: 'Your Acme Ads code is 382716.',
      inboundMessageId: randomUUID(),
    };
    for (let i = 0; i < 3; i++) {
      expect((await api.call('POST', '/_local/inbound/sms', { body: sms })).status).toBe(202);
    }
    await stack.push.drain();

    const ownerInbox = await api.call('GET', `/v1/accounts/${id}/inbox`, {
      token: owner.token,
      device: owner.web,
    });
    const collaboratorInbox = await api.call('GET', '/v1/inbox', {
      token: collaborator.token,
      device: collaborator.web,
    });
    const pushes = (await api.call('GET', '/_local/outbox/push')).body.items.filter(
      (p: { type: string; data: { accountId?: string } }) =>
        p.type === 'otp_code_received' && p.data.accountId === id,
    );

    expect(created).toMatchObject({ status: 201, body: { account: { role: 'owner', appName: 'Acme Ads' } } });
    expect(created.body.account).not.toHaveProperty('password');
    expect(shared.status).toBe(200);
    expect(number.body.phoneNumber).toMatch(/^\+1555/);
    expect(address.body.emailAddress).toMatch(/^lk-[0-9a-f]{24}@inbound\.latchkey\.local$/);
    expect(ownerInbox.body.items).toHaveLength(1);
    expect(ownerInbox.body.items[0]).toMatchObject({ code: '382716', kind: 'keyword', channel: 'sms' });
    expect(collaboratorInbox.body.items.map((m: { code: string }) => m.code)).toEqual(['382716']);
    expect(pushes.map((p: { deviceId: string }) => p.deviceId).sort()).toEqual(
      [owner.phoneId, collaborator.phoneId].sort(),
    );
    expect(JSON.stringify(pushes)).not.toContain('382716');

    const strangerView = await api.call('GET', `/v1/accounts/${id}`, {
      token: stranger.token,
      device: stranger.web,
    });
    const strangerInbox = await api.call('GET', `/v1/accounts/${id}/inbox`, {
      token: stranger.token,
      device: stranger.web,
    });
    const collaboratorPassword = await api.call('GET', `/v1/accounts/${id}/password`, {
      token: collaborator.token,
      device: collaborator.web,
    });
    expect(strangerView).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(strangerInbox.status).toBe(404);
    // Owners only, checked before any confirmation is asked for: no challenge, no push to them.
    expect(collaboratorPassword).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const strangerPassword = await api.call('GET', `/v1/accounts/${id}/password`, {
      token: stranger.token,
      device: stranger.web,
    });
    expect(strangerPassword).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(JSON.stringify(collaboratorPassword.body)).not.toContain('p@ss-Word-42');
    const ownerPassword = await api.call('GET', `/v1/accounts/${id}/password`, {
      token: owner.token,
      device: owner.web,
    });
    expect(ownerPassword).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(JSON.stringify(ownerPassword.body)).not.toContain('p@ss-Word-42');
  });

  it('shows the password to its owner only after a push confirmation, and deletes only confirmed', async () => {
    const owner = await member('confirm');
    const { body } = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: { appName: 'Bank Portal', username: 'treasury', password: 'Tr3asury!Key' },
    });
    const id = body.account.id;
    const asOwner = { token: owner.token, device: owner.web };

    const asked = await api.call('GET', `/v1/accounts/${id}/password`, asOwner);
    const challenge = asked.body.challenge;
    const approved = await api.call('POST', `/v1/identity-challenges/${challenge.id}/approve`, {
      token: owner.token,
      device: owner.phone,
      body: { number: challenge.numberToMatch },
    });
    const shown = await api.call('GET', `/v1/accounts/${id}/password`, {
      ...asOwner,
      confirmation: challenge.id,
    });
    const wrongAction = await api.call('DELETE', `/v1/accounts/${id}`, {
      ...asOwner,
      confirmation: challenge.id,
    });
    const stillThere = await api.call('GET', `/v1/accounts/${id}`, asOwner);

    expect(asked).toMatchObject({ status: 403, body: { challenge: { action: 'password.view' } } });
    expect(approved.status).toBe(200);
    expect(shown).toMatchObject({ status: 200, body: { password: 'Tr3asury!Key' } });
    expect(wrongAction).toMatchObject({ status: 403, body: { challenge: { action: 'app.remove' } } });
    expect(stillThere.status).toBe(200);
  });

  it('receives email at the managed address: code and sign-in link, once per message, verdicts honoured', async () => {
    const owner = await member('mail');
    const { body } = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: { appName: 'Mailer', username: 'm', password: 'x' },
    });
    const id = body.account.id;
    const address = (
      await api.call('POST', `/v1/accounts/${id}/email-address`, { token: owner.token, device: owner.web })
    ).body.emailAddress;
    const mail = {
      from: 'Example <no-reply@accounts.example>',
      to: address,
      subject: 'Your verification code',
      html: '<p>Your code is <b>918273</b>.</p><p><a href="https://accounts.example/verify?t=abc">Sign in</a></p><script>var x = 111111;</script>',
      messageId: `m${randomUUID().replace(/-/g, '')}`,
    };

    for (let i = 0; i < 3; i++)
      expect((await api.call('POST', '/_local/inbound/email', { body: mail })).status).toBe(202);
    await api.call('POST', '/_local/inbound/email', {
      body: { ...mail, messageId: `v${randomUUID().replace(/-/g, '')}`, text: 'code 555666', virus: true },
    });
    const raw = await fetch(`${stack.apiUrl}/_local/inbound/email?to=${encodeURIComponent(address)}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: 'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nbroken',
    });
    await api.call('POST', '/_local/inbound/email', {
      body: { ...mail, to: 'nobody@inbound.latchkey.local', messageId: 'nobody1' },
    });
    const inbox = await api.call('GET', `/v1/accounts/${id}/inbox`, {
      token: owner.token,
      device: owner.web,
    });

    expect(raw.status).toBe(202);
    const items = inbox.body.items as Array<{
      code: string | null;
      flags: string[];
      text: string;
      links: { host: string }[];
    }>;
    expect(items).toHaveLength(3);
    const coded = items.find((m) => m.code === '918273');
    expect(coded?.links).toEqual([
      { url: 'https://accounts.example/verify?t=abc', host: 'accounts.example' },
    ]);
    expect(coded?.text).not.toContain('111111');
    expect(coded?.text).toContain('Your code is 918273.');
    const infected = items.find((m) => m.flags.includes('virus'));
    expect(infected).toMatchObject({ code: null, text: '' });
    expect(items.filter((m) => m.code === null)).toHaveLength(2);
  });

  it('stores readable text for HTML-only mail, and flags cut and sanitised fields (issue 12)', async () => {
    const owner = await member('html');
    const { body } = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: { appName: 'Htmlmail', username: 'h', password: 'x' },
    });
    const id = body.account.id;
    const address = (
      await api.call('POST', `/v1/accounts/${id}/email-address`, { token: owner.token, device: owner.web })
    ).body.emailAddress;
    const postRaw = (raw: Buffer | string) =>
      fetch(`${stack.apiUrl}/_local/inbound/email?to=${encodeURIComponent(address)}`, {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822' },
        body: raw,
      });
    const word = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
    const longSubject = `Your code is 424242 ${'x'.repeat(1200)}`;

    for (const name of ['html-only.eml', 'gbk-html.eml'])
      expect((await postRaw(readFileSync(`test/fixtures/mail/${name}`))).status).toBe(202);
    const hostile = await postRaw(
      [
        `From: ${word('Support\u202E')} <help@evil.example>`,
        `Subject: ${word(`\u2066${longSubject.slice(0, 40)}\u2069`)}${longSubject.slice(40)}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hello\u0007 there',
      ].join('\r\n'),
    );
    const inbox = await api.call('GET', `/v1/accounts/${id}/inbox`, {
      token: owner.token,
      device: owner.web,
    });

    expect(hostile.status).toBe(202);
    const items = inbox.body.items as Array<{
      subject?: string;
      from: string;
      text: string;
      code: string | null;
      flags: string[];
    }>;
    const acme = items.find((m) => m.subject === 'Your Acme verification code');
    expect(acme).toMatchObject({ code: '730418', flags: [] });
    expect(acme?.text).toContain('Your Acme verification code is:\n730 418');
    const gbk = items.find((m) => m.subject === '验证码通知');
    expect(gbk?.text).toContain('您的验证码是：605218');
    const cut = items.find((m) => m.from.startsWith('Support'));
    expect(cut).toMatchObject({ from: 'Support <help@evil.example>', text: 'Hello there\n', code: '424242' });
    expect(cut?.subject).toHaveLength(998);
    expect(cut?.subject?.startsWith('Your code is 424242 xxx')).toBe(true);
    expect(cut?.flags.sort()).toEqual(['sanitized', 'truncated']);
  });

  it('generates TOTP codes for members and never returns the seed', async () => {
    const owner = await member('totp');
    const { body } = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: { appName: 'Vendor', username: 'v', password: 'x' },
    });

    const enrolled = await api.call('PUT', `/v1/accounts/${body.account.id}/totp`, {
      token: owner.token,
      device: owner.web,
      body: { otpauthUri: 'otpauth://totp/Vendor:v?secret=JBSWY3DPEHPK3PXP&issuer=Vendor' },
    });
    const code = await api.call('GET', `/v1/accounts/${body.account.id}/totp/code`, {
      token: owner.token,
      device: owner.web,
    });
    const account = await api.call('GET', `/v1/accounts/${body.account.id}`, {
      token: owner.token,
      device: owner.web,
    });
    const invalid = await api.call('PUT', `/v1/accounts/${body.account.id}/totp`, {
      token: owner.token,
      device: owner.web,
      body: { secret: 'not-base32-at-all!!' },
    });

    expect(enrolled.body.totp).toEqual({ digits: 6, period: 30, algorithm: 'SHA1' });
    expect(code.body).toMatchObject({ code: expect.stringMatching(/^\d{6}$/), period: 30 });
    expect(new Date(code.body.expiresAt).getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(JSON.stringify(account.body)).not.toContain('JBSWY3DPEHPK3PXP');
    expect(invalid).toMatchObject({ status: 400, body: { error: 'invalid_totp' } });
  });

  it('reports the security level with reasons and the next step', async () => {
    const owner = await member('level');
    const { body } = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: { appName: 'Social', username: 's', password: 'x', capabilities: { acceptsVoip: false } },
    });
    const id = body.account.id;
    await api.call('POST', `/v1/accounts/${id}/login-results`, {
      token: owner.token,
      device: owner.web,
      body: { success: true },
    });
    const voip = await api.call('POST', `/v1/accounts/${id}/phone-number`, {
      token: owner.token,
      device: owner.web,
      body: { type: 'voip' },
    });

    const level = await api.call('GET', `/v1/accounts/${id}/security-level`, {
      token: owner.token,
      device: owner.web,
    });

    expect(voip).toMatchObject({ status: 422, body: { error: 'not_supported' } });
    expect(level.body.level).toBe(1);
    expect(level.body.milestones.map((m: { id: string; done: boolean }) => [m.id, m.done])).toEqual([
      ['correct_credentials', true],
      ['managed_contact', false],
      ['managed_mfa', false],
      ['shared', false],
      ['passwords_rotated', false],
    ]);
    expect(level.body.nextStep.milestone).toBe('managed_contact');
  });

  it('keeps the last owner and accepts only account roles', async () => {
    const owner = await member('keeper');
    const { body } = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: { appName: 'Portal', username: 'p', password: 'x' },
    });

    const lastOwner = await api.call('DELETE', `/v1/accounts/${body.account.id}/members/${owner.userId}`, {
      token: owner.token,
      device: owner.web,
    });
    const badRole = await api.call('PUT', `/v1/accounts/${body.account.id}/members/${owner.userId}`, {
      token: owner.token,
      device: owner.web,
      body: { role: 'admin' },
    });

    expect(lastOwner).toMatchObject({ status: 409, body: { error: 'last_owner' } });
    expect(badRole).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });

  it('rejects a malformed inbound SMS request at the simulator', async () => {
    const response = await api.call('POST', '/_local/inbound/sms', { body: { to: '+1' } });
    expect(response).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });
});
