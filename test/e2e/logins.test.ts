import { randomUUID, webcrypto } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { runLoginDemo } from '../../scripts/login-client';
import { extensionKey, openJwe as open, registerKeyedExtension, trustedUser } from '../support/e2e-devices';
import { client, storedItems } from './client';

type Api = ReturnType<typeof client>;

/** What a browser makes: a non-extractable WebCrypto ECDH key, its public half exported as a JWK. */
async function webCryptoKey() {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  return { jwk: await webcrypto.subtle.exportKey('jwk', pair.publicKey), privateKey: pair.privateKey };
}

/**
 * A request from another network: the same loopback gateway, reached from 127.0.1.1 (Linux routes
 * all of 127/8 to lo), so the gateway's sourceIp is in another /24 exactly as API Gateway would see it.
 */
function callFrom(stack: LocalStack, localAddress: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(`${stack.apiUrl}${path}`, { method: 'POST', localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('login grants, zero-touch codes and unrecognised logins over HTTP', () => {
  let stack: LocalStack;
  let api: Api;
  const workspace = `lgn-${randomUUID().slice(0, 8)}`;
  const password = `Pw-${randomUUID()}`;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
    api = client(stack);
    // The workspace's owner (the admin alerts go to) signs in first; members join just in time.
    const ownerEmail = `admin-${workspace}@acme.example`;
    await api.bootstrap(workspace, ownerEmail);
    await trustedUser(api, ownerEmail, workspace);
  });
  afterAll(() => stack?.stop());

  const member = (name: string) =>
    trustedUser(api, `${name}-${randomUUID().slice(0, 6)}@acme.example`, workspace);
  type Member = Awaited<ReturnType<typeof member>>;

  /** An account with a managed number, shared with the collaborator. */
  async function sharedAccount(owner: Member, collaborator: Member) {
    const created = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: {
        appName: 'Acme Ads',
        loginUrl: 'https://ads.example.com/login',
        username: 'ads@acme.example',
        password,
      },
    });
    const id = created.body.account.id as string;
    await api.call('PUT', `/v1/accounts/${id}/members/${collaborator.userId}`, {
      token: owner.token,
      device: owner.web,
      body: { role: 'collaborator' },
    });
    const number = await api.call('POST', `/v1/accounts/${id}/phone-number`, {
      token: owner.token,
      device: owner.web,
      body: { type: 'non_voip' },
    });
    return { id, phoneNumber: number.body.phoneNumber as string };
  }

  const keyedExtension = (user: Member, jwk: unknown) => registerKeyedExtension(api, user, jwk);

  it('seals a grant to the extension key; another key cannot open it; a keyless device is refused', async () => {
    const owner = await member('owner');
    const collaborator = await member('collab');
    const account = await sharedAccount(owner, collaborator);
    const key = await extensionKey();
    const other = await extensionKey();
    const extension = await keyedExtension(collaborator, key.jwk);

    const granted = await api.call('POST', `/v1/accounts/${account.id}/login-grants`, {
      token: collaborator.token,
      device: extension.credential,
    });
    const keyless = await api.call('POST', `/v1/accounts/${account.id}/login-grants`, {
      token: collaborator.token,
      device: collaborator.web,
    });

    expect(granted.status).toBe(201);
    expect(JSON.stringify(granted.body)).not.toContain(password);
    const payload = await open(granted.body.grant.jwe, key.privateKey);
    expect(payload).toMatchObject({
      grantId: granted.body.grant.id,
      accountId: account.id,
      username: 'ads@acme.example',
      password,
      loginUrl: 'https://ads.example.com/login',
      totp: null,
    });
    const lifetime = new Date(granted.body.grant.expiresAt).getTime() - new Date(payload.issuedAt).getTime();
    expect(lifetime).toBe(60_000);
    await expect(open(granted.body.grant.jwe, other.privateKey)).rejects.toThrow();
    expect(keyless).toMatchObject({ status: 409, body: { error: 'device_key_missing' } });
    // Nothing at rest holds the password or the JWE.
    const stored = await storedItems(stack);
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(granted.body.grant.jwe);

    const result = await api.call('POST', `/v1/accounts/${account.id}/login-results`, {
      token: collaborator.token,
      device: extension.credential,
      body: { success: true, grantId: granted.body.grant.id },
    });
    const borrowed = await api.call('POST', `/v1/accounts/${account.id}/login-results`, {
      token: owner.token,
      device: owner.web,
      body: { success: true, grantId: granted.body.grant.id },
    });
    const level = await api.call('GET', `/v1/accounts/${account.id}/security-level`, {
      token: owner.token,
      device: owner.web,
    });
    expect(result).toMatchObject({
      status: 201,
      body: { loginResult: { success: true, grantId: granted.body.grant.id } },
    });
    expect(borrowed).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(level.body.milestones[0]).toMatchObject({ id: 'correct_credentials', done: true });
    expect(level.body.milestones[0].reason).toContain('login grant');
  });

  it('gives a web device with a WebCrypto key a grant after a confirmed key change, and tells the user', async () => {
    const owner = await member('owner2');
    const collaborator = await member('collab2');
    const account = await sharedAccount(owner, collaborator);
    const key = await webCryptoKey();
    const path = `/v1/devices/${(await api.call('GET', '/v1/devices/current', { token: collaborator.token, device: collaborator.web })).body.device.id}/public-key`;

    const first = await api.call('PUT', path, {
      token: collaborator.token,
      device: collaborator.web,
      body: { publicKey: key.jwk },
    });
    expect(first).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    const approved = await api.call('POST', `/v1/identity-challenges/${first.body.challenge.id}/approve`, {
      token: collaborator.token,
      device: collaborator.phone,
      body: { number: first.body.challenge.numberToMatch },
    });
    expect(approved.status).toBe(200);
    const other = await extensionKey();
    const otherKey = await api.call('PUT', path, {
      token: collaborator.token,
      device: collaborator.web,
      body: { publicKey: other.jwk },
      confirmation: first.body.challenge.id,
    });
    const keyed = await api.call('PUT', path, {
      token: collaborator.token,
      device: collaborator.web,
      body: { publicKey: key.jwk },
      confirmation: first.body.challenge.id,
    });
    const granted = await api.call('POST', `/v1/accounts/${account.id}/login-grants`, {
      token: collaborator.token,
      device: collaborator.web,
    });

    // The confirmation is bound to the key it was asked for.
    expect(otherKey).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(keyed.status).toBe(200);
    expect(keyed.body.device.publicKey.thumbprint).toMatch(/^[\w-]{43}$/);
    expect(granted.status).toBe(201);
    expect((await open(granted.body.grant.jwe, key.privateKey)).password).toBe(password);
    const notices = (await stack.sentEmails()).filter(
      (email) =>
        email.destination.to.includes(collaborator.email) && /can now receive logins/.test(email.subject),
    );
    expect(notices).toHaveLength(1);
  });

  it('hands the code poll an SMS sent after the grant, never one sent before', async () => {
    const owner = await member('owner3');
    const collaborator = await member('collab3');
    const account = await sharedAccount(owner, collaborator);
    const key = await extensionKey();
    const extension = await keyedExtension(collaborator, key.jwk);
    const sms = (body: string) =>
      api.call('POST', '/_local/inbound/sms', {
        body: { from: '+12025550123', to: account.phoneNumber, body, inboundMessageId: randomUUID() },
      });
    const as = { token: collaborator.token, device: extension.credential };

    expect((await sms('Your Acme Ads code is 111111.')).status).toBe(202);
    const granted = await api.call('POST', `/v1/accounts/${account.id}/login-grants`, as);
    const codePath = `/v1/accounts/${account.id}/login-grants/${granted.body.grant.id}/code`;
    const before = await api.call('GET', codePath, as);
    expect((await sms('Your Acme Ads code is 222222.')).status).toBe(202);
    const after = await api.call('GET', codePath, as);
    const again = await api.call('GET', codePath, as);
    const otherSender = await api.call('GET', `${codePath}?from=${encodeURIComponent('+19995550000')}`, as);
    const fromOwnerDevice = await api.call('GET', codePath, { token: owner.token, device: owner.web });

    expect(before.body).toEqual({ status: 'waiting', retryAfter: 2 });
    expect(after.body.status).toBe('ready');
    expect(await open(after.body.jwe, key.privateKey)).toMatchObject({
      grantId: granted.body.grant.id,
      source: 'sms',
      code: '222222',
      from: '+12025550123',
    });
    expect((await open(again.body.jwe, key.privateKey)).code).toBe('222222');
    expect(otherSender.body.status).toBe('waiting');
    expect(fromOwnerDevice).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('warns of a grant from a new network; "not me" disables the device and alerts the admins', async () => {
    const owner = await member('owner4');
    const collaborator = await member('collab4');
    const account = await sharedAccount(owner, collaborator);
    const key = await extensionKey();
    const extension = await keyedExtension(collaborator, key.jwk);
    const headers = {
      authorization: `Bearer ${collaborator.token}`,
      'x-latchkey-device': extension.credential,
    };
    const grantPath = `/v1/accounts/${account.id}/login-grants`;

    const home = await callFrom(stack, '127.0.0.1', grantPath, headers);
    const homeAgain = await callFrom(stack, '127.0.0.9', grantPath, headers);
    const away = await callFrom(stack, '127.0.1.1', grantPath, headers);
    const notifications = await api.call('GET', '/v1/me/notifications', {
      token: collaborator.token,
      device: collaborator.web,
    });
    await stack.push.drain();
    const pushes = (await api.call('GET', '/_local/outbox/push')).body.items.filter(
      (p: { type: string; deviceId: string }) => p.type === 'unrecognized_login',
    );

    expect([home.status, homeAgain.status, away.status]).toEqual([201, 201, 201]);
    const warnings = notifications.body.items.filter(
      (n: { type: string }) => n.type === 'unrecognized_login',
    );
    expect(warnings).toHaveLength(1);
    const awayGrant = (away.body.grant as { id: string }).id;
    expect(warnings[0].data).toEqual({
      grantId: awayGrant,
      accountId: account.id,
      deviceId: extension.deviceId,
    });
    expect(pushes.map((p: { deviceId: string }) => p.deviceId)).toEqual([collaborator.phoneId]);

    const notMe = await api.call('POST', `/v1/accounts/${account.id}/login-grants/${awayGrant}/not-me`, {
      token: collaborator.token,
      device: collaborator.phone,
    });
    const twice = await api.call('POST', `/v1/accounts/${account.id}/login-grants/${awayGrant}/not-me`, {
      token: collaborator.token,
      device: collaborator.phone,
    });
    const afterwards = await api.call('POST', grantPath, {
      token: collaborator.token,
      device: extension.credential,
    });
    const alerts = (await stack.sentEmails()).filter(
      (email) => /not me/.test(email.subject) && (email.body.text ?? '').includes(collaborator.email),
    );

    expect(notMe).toMatchObject({
      status: 200,
      body: { grant: { id: awayGrant }, device: { id: extension.deviceId, status: 'disabled' } },
    });
    expect(twice).toMatchObject({ status: 409, body: { error: 'already_reported' } });
    const answered = await api.call('GET', '/v1/me/notifications', {
      token: collaborator.token,
      device: collaborator.web,
    });
    expect(answered.body.items.find((n: { type: string }) => n.type === 'unrecognized_login')).toMatchObject({
      data: { grantId: awayGrant },
      outcome: 'disabled',
    });
    expect(warnings[0]).not.toHaveProperty('outcome');
    expect(afterwards).toMatchObject({ status: 403, body: { error: 'device_not_trusted' } });
    // The workspace's owner is the admin the alert goes to; the collaborator gets none.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.destination.to).not.toContain(collaborator.email);
    expect(alerts[0]?.body.text).toContain('127.0.1.1');
  });

  it('runs the documented client example (scripts/login-client.ts) end to end', async () => {
    const lines: string[] = [];
    const outcome = await runLoginDemo({ apiUrl: stack.apiUrl, sesUrl: stack.sesUrl }, (line) =>
      lines.push(line),
    );
    expect(outcome).toMatchObject({ code: '493817', username: 'ads@acme.example' });
    expect(lines.join('\n')).not.toMatch(/demo-[0-9a-f-]{36}/);
  });
});
