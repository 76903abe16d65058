import { randomUUID } from 'node:crypto';
import { base64url, compactDecrypt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { trustedUser } from '../support/e2e-devices';
import { captureLogs } from '../support/http-event';
import { appears, client, storedItems } from './client';

describe('public share links over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  const logs = captureLogs();
  const workspace = `shl-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await bootInMemoryStack({
      quiet: true,
      env: { POWERTOOLS_LOG_LEVEL: 'INFO', WEB_BASE_URL: 'https://app.latchkey.test' },
    });
    api = client(stack);
    // Members join just in time (acme.example); no test here needs the workspace's owner.
    await api.bootstrap(workspace, `owner-${workspace}@acme.example`);
  });
  afterAll(async () => {
    logs.restore();
    await stack?.stop();
  });

  const member = (name: string) =>
    trustedUser(api, `${name}-${randomUUID().slice(0, 6)}@acme.example`, workspace);
  type Member = Awaited<ReturnType<typeof member>>;
  const as = (user: Member, options: { body?: unknown; confirmation?: string } = {}) => ({
    token: user.token,
    device: user.web,
    ...options,
  });

  async function account(owner: Member, password: string) {
    api.secrets.add(password);
    const created = await api.call(
      'POST',
      '/v1/accounts',
      as(owner, { body: { appName: 'Acme Ads', username: 'ads@acme.example', password } }),
    );
    return created.body.account.id as string;
  }

  /** POST /v1/share-links through its confirmation; returns the link and the approved challenge. */
  async function share(owner: Member, body: Record<string, unknown>) {
    const first = await api.call('POST', '/v1/share-links', as(owner, { body }));
    expect(first).toMatchObject({ status: 403, body: { challenge: { action: 'items.share_link' } } });
    const { id, numberToMatch } = first.body.challenge;
    const approved = await api.call('POST', `/v1/identity-challenges/${id}/approve`, {
      token: owner.token,
      device: owner.phone,
      body: { number: numberToMatch },
    });
    expect(approved.status).toBe(200);
    const created = await api.call('POST', '/v1/share-links', as(owner, { body, confirmation: id }));
    expect(created.status).toBe(201);
    const url = new URL(created.body.link.url);
    api.secrets.add(url.hash.slice(1));
    return {
      link: created.body.link,
      challengeId: id as string,
      key: url.hash.slice(1),
      linkId: url.pathname.split('/')[2] as string,
    };
  }

  async function codeFor(linkId: string, recipient: string) {
    const sent = await api.call('POST', `/v1/public/share-links/${linkId}/verification`);
    expect(sent.status).toBe(202);
    return api.emailedCode(recipient);
  }

  it('shares an account once: the recipient proves the email, opens, decrypts with the fragment key; never again', async () => {
    const owner = await member('owner');
    const password = `pw-${randomUUID()}`;
    const accountId = await account(owner, password);
    const recipient = `ext-${randomUUID().slice(0, 6)}@partner.example`;

    const { link, key, linkId } = await share(owner, {
      resource: { type: 'account', id: accountId },
      recipientEmail: recipient,
      expiresInSeconds: 3600,
      oneTime: true,
    });
    const described = await api.call('GET', `/v1/public/share-links/${linkId}`);
    const code = await codeFor(linkId, recipient);
    const tooSoon = await api.call('POST', `/v1/public/share-links/${linkId}/verification`);
    const wrong = await api.call('POST', `/v1/public/share-links/${linkId}/open`, {
      body: { code: code === '000000' ? '111111' : '000000' },
    });
    const opened = await api.call('POST', `/v1/public/share-links/${linkId}/open`, { body: { code } });
    const again = await api.call('POST', `/v1/public/share-links/${linkId}/open`, { body: { code } });
    const describedAfter = await api.call('GET', `/v1/public/share-links/${linkId}`);
    const listed = await api.call('GET', '/v1/share-links', as(owner));
    await stack.push.drain();
    const pushed = stack.push.outbox.filter(
      (push) => push.type === 'share_link_opened' && push.data.linkId === linkId,
    );
    const { plaintext, protectedHeader } = await compactDecrypt(
      opened.body.ciphertext,
      base64url.decode(key),
    );

    expect(link.url).toMatch(/^https:\/\/app\.latchkey\.test\/s\/shl_[\w-]+#[\w-]{43}$/);
    expect(described.body.link).toMatchObject({
      recipient: `e***@partner.example`,
      resourceType: 'account',
      oneTime: true,
    });
    expect(tooSoon).toMatchObject({ status: 429, body: { error: 'share_code_too_soon' } });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_code' } });
    expect(opened.status).toBe(200);
    expect(protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toMatchObject({
      appName: 'Acme Ads',
      username: 'ads@acme.example',
      password,
    });
    expect(again).toMatchObject({ status: 410, body: { error: 'link_invalid' } });
    // The owner's phone hears of the open (once: the refused second open sends nothing).
    expect(pushed.map((push) => push.deviceId)).toEqual([owner.phoneId]);
    expect(describedAfter).toMatchObject({ status: 410, body: { error: 'link_invalid' } });
    const mine = listed.body.items.find((l: { id: string }) => l.id === linkId);
    expect(mine).toMatchObject({
      status: 'used',
      views: [expect.objectContaining({ ip: expect.any(String) })],
    });
    expect(JSON.stringify(listed.body)).not.toContain(password);
  });

  it('binds one approval to the object in the body: it does not share a second account', async () => {
    const owner = await member('binder');
    const first = await account(owner, `pw-${randomUUID()}`);
    const second = await account(owner, `pw-${randomUUID()}`);
    const body = (id: string) => ({
      resource: { type: 'account', id },
      recipientEmail: 'x@partner.example',
      expiresInSeconds: 600,
    });

    const { challengeId } = await share(owner, body(first));
    const other = await api.call(
      'POST',
      '/v1/share-links',
      as(owner, { body: body(second), confirmation: challengeId }),
    );
    const stranger = await member('stranger');
    const notTheirs = await api.call('POST', '/v1/share-links', as(stranger, { body: body(first) }));

    expect(other).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(other.body.challenge.id).not.toBe(challengeId);
    // Ownership is checked before any challenge: a stranger gets 404 and no push.
    expect(notTheirs).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('answers 410 link_invalid alike for unknown, revoked and password-changed links', async () => {
    const owner = await member('revoker');
    const accountId = await account(owner, `pw-${randomUUID()}`);
    const body = {
      resource: { type: 'account', id: accountId },
      recipientEmail: 'r@partner.example',
      expiresInSeconds: 600,
    };
    const revoked = await share(owner, body);
    const rotated = await api.call(
      'POST',
      '/v1/share-links',
      as(owner, { body, confirmation: revoked.challengeId }),
    );
    const rotatedId = rotated.body.link.id as string;

    const revoke = await api.call('DELETE', `/v1/share-links/${revoked.linkId}`, as(owner));
    const newPassword = `pw-${randomUUID()}`;
    api.secrets.add(newPassword);
    const edited = await api.call(
      'PATCH',
      `/v1/accounts/${accountId}`,
      as(owner, { body: { password: newPassword, passwordVersion: 1 } }),
    );
    const answers = await Promise.all(
      ['shl_unknown', revoked.linkId, rotatedId].map((id) => api.call('GET', `/v1/public/share-links/${id}`)),
    );
    const codeForRevoked = await api.call('POST', `/v1/public/share-links/${revoked.linkId}/verification`);

    expect(revoke.status).toBe(200);
    expect(edited.status).toBe(200);
    for (const answer of answers)
      expect(answer).toMatchObject({ status: 410, body: { error: 'link_invalid' } });
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(codeForRevoked.status).toBe(410);
  });

  it('revokes the links a user owns when an admin deprovisions them: 410 link_invalid', async () => {
    const adminEmail = `admin-${randomUUID().slice(0, 6)}@acme.example`;
    const team = await api.bootstrap(`shl-dep-${randomUUID().slice(0, 8)}`, adminEmail);
    const admin = await trustedUser(api, adminEmail, team);
    const leaver = await trustedUser(api, `leaver-${randomUUID().slice(0, 6)}@acme.example`, team);
    const accountId = await account(leaver, `pw-${randomUUID()}`);
    const { linkId } = await share(leaver, {
      resource: { type: 'account', id: accountId },
      recipientEmail: 'r@partner.example',
      expiresInSeconds: 600,
    });
    expect((await api.call('GET', `/v1/public/share-links/${linkId}`)).status).toBe(200);
    const me = await api.call('GET', '/v1/me', { token: leaver.token });

    const done = await api.call('POST', `/v1/users/${me.body.user.id}/deprovision`, as(admin));

    expect(done).toMatchObject({ status: 200, body: { user: { status: 'deprovisioned' } } });
    expect(await api.call('GET', `/v1/public/share-links/${linkId}`)).toMatchObject({
      status: 410,
      body: { error: 'link_invalid' },
    });
  });

  it('lets exactly one of 20 concurrent opens of a one-time link succeed', async () => {
    const owner = await member('racer');
    const accountId = await account(owner, `pw-${randomUUID()}`);
    const recipient = `race-${randomUUID().slice(0, 6)}@partner.example`;
    const { linkId } = await share(owner, {
      resource: { type: 'account', id: accountId },
      recipientEmail: recipient,
      expiresInSeconds: 600,
      oneTime: true,
    });
    const code = await codeFor(linkId, recipient);

    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.call('POST', `/v1/public/share-links/${linkId}/open`, { body: { code } }),
      ),
    );

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.every((r) => [200, 400, 410].includes(r.status))).toBe(true);
  });

  it('shares a secret (vault manager), and moving the secret to the trash revokes the link', async () => {
    const owner = await member('secretive');
    const confirmedCall = async (method: string, path: string, body?: unknown) => {
      const first = await api.call(method, path, as(owner, { body }));
      const { id, numberToMatch } = first.body.challenge;
      await api.call('POST', `/v1/identity-challenges/${id}/approve`, {
        token: owner.token,
        device: owner.phone,
        body: { number: numberToMatch },
      });
      return api.call(method, path, as(owner, { body, confirmation: id }));
    };
    const vault = await confirmedCall('POST', '/v1/vaults', { name: 'Ops' });
    const value = `api-${randomUUID()}`;
    api.secrets.add(value);
    const secret = await api.call(
      'POST',
      `/v1/vaults/${vault.body.vault.id}/secrets`,
      as(owner, { body: { name: 'Key', items: [{ type: 'api_key', name: 'key', value }] } }),
    );
    const recipient = `s-${randomUUID().slice(0, 6)}@partner.example`;
    const { linkId, key } = await share(owner, {
      resource: { type: 'secret', id: secret.body.secret.id },
      recipientEmail: recipient,
      expiresInSeconds: 600,
    });
    const code = await codeFor(linkId, recipient);
    const opened = await api.call('POST', `/v1/public/share-links/${linkId}/open`, { body: { code } });
    const { plaintext } = await compactDecrypt(opened.body.ciphertext, base64url.decode(key));
    await confirmedCall('DELETE', `/v1/secrets/${secret.body.secret.id}`);
    const afterTrash = await api.call('GET', `/v1/public/share-links/${linkId}`);

    expect(JSON.parse(new TextDecoder().decode(plaintext))).toMatchObject({
      name: 'Key',
      items: [{ value }],
    });
    expect(afterTrash).toMatchObject({ status: 410, body: { error: 'link_invalid' } });
  });

  // Last: reads everything the suite wrote and logged.
  it('stores and logs none of the passwords, fragment keys or codes it used', async () => {
    const stored = await storedItems(stack);
    const logged = logs.lines.join('');

    expect(stored).toContain('ShareLink');
    expect(api.secrets.size).toBeGreaterThan(10);
    for (const secret of api.secrets) {
      expect(appears(secret, stored), `table holds ${secret.slice(0, 3)}...`).toBe(false);
      expect(appears(secret, logged), `logs hold ${secret.slice(0, 3)}...`).toBe(false);
    }
  });
});
