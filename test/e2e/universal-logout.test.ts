import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import { DEV_IDP, devSubject } from '../../local/dev-idp';
import type { LocalStack } from '../../local/stack';
import { issueScimToken } from '../../shared/domain/identity/use-cases';
import type { User } from '../../shared/domain/users/model';
import { httpRuntime } from '../../shared/runtime/http';
import { extensionKey, registerKeyedExtension, trustedUser } from '../support/e2e-devices';
import { client } from './client';

type Member = Awaited<ReturnType<typeof trustedUser>>;

describe('universal logout and the rotations it queues, over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  let owner: Member;
  let workspaceId: string;
  const workspace = `ulo-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
    api = client(stack);
    const ownerEmail = `owner-${randomUUID().slice(0, 6)}@acme.example`;
    await api.bootstrap(workspace, ownerEmail);
    owner = await trustedUser(api, ownerEmail, workspace);
    workspaceId = (await api.call('GET', '/v1/me', { token: owner.token })).body.user.workspaceId;
  });
  afterAll(() => stack?.stop());

  const as = (extra: Record<string, unknown> = {}) => ({ token: owner.token, device: owner.web, ...extra });
  const member = (name: string) =>
    trustedUser(api, `${name}-${randomUUID().slice(0, 6)}@acme.example`, workspace);

  /** An account of `appId` (a demo one with its user at the demo app, so its rotation can succeed). */
  async function account(appId: 'demo' | 'acme-ads' | 'vendor-portal', members: Member[]) {
    const username = `u-${randomUUID().slice(0, 8)}`;
    const password = `Initial-${randomUUID()}`;
    if (appId === 'demo') {
      const demoUser = await api.call('POST', '/_local/apps/demo/users', { body: { username, password } });
      expect(demoUser.status).toBe(201);
    }
    const created = await api.call(
      'POST',
      '/v1/accounts',
      as({ body: { appName: appId === 'demo' ? 'Demo' : appId, appId, username, password } }),
    );
    expect(created.status).toBe(201);
    const id = created.body.account.id as string;
    for (const person of members) {
      const added = await api.call(
        'PUT',
        `/v1/accounts/${id}/members/${person.userId}`,
        as({ body: { role: 'collaborator' } }),
      );
      expect(added.status).toBeLessThan(300);
    }
    return id;
  }

  /** The member's keyed extension asks for a login grant (what a universal logout looks at). */
  async function grant(person: Member & { extension?: string }, accountId: string) {
    if (!person.extension) {
      person.extension = (await registerKeyedExtension(api, person, (await extensionKey()).jwk)).credential;
    }
    const granted = await api.call('POST', `/v1/accounts/${accountId}/login-grants`, {
      token: person.token,
      device: person.extension,
    });
    expect(granted.status).toBe(201);
  }

  const rotations = async (accountId: string) =>
    (await api.call('GET', `/v1/accounts/${accountId}/rotations`, as())).body.items as Array<{
      id: string;
      trigger: string;
      status: string;
    }>;

  /** Waits until the rotations of the accounts have ended (the outbox, the queues and the worker). */
  async function settled(accountIds: string[]) {
    for (let round = 0; round < 40; round++) {
      await stack.push.drain();
      const all = (await Promise.all(accountIds.map(rotations))).flat();
      if (all.every((r) => r.status === 'succeeded' || r.status === 'failed')) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('rotations did not settle');
  }

  async function confirmedLogout(userId: string) {
    const path = `/v1/users/${userId}/universal-logout`;
    const asked = await api.call('POST', path, as());
    expect(asked.status).toBe(403);
    expect(asked.body.error).toBe('identity_confirmation_required');
    const challenge = asked.body.challenge;
    const approved = await api.call('POST', `/v1/identity-challenges/${challenge.id}/approve`, {
      token: owner.token,
      device: owner.phone,
      body: { number: challenge.numberToMatch },
    });
    expect(approved.status).toBe(200);
    return api.call('POST', path, as({ confirmation: challenge.id }));
  }

  const rotateByHand = async () =>
    (await api.call('GET', '/v1/workspace/rotate-by-hand', as())).body.items as Array<{
      accountId: string;
      userIds: string[];
      triggers: string[];
    }>;

  it('admin route: ends every session and queues exactly the granted, supported accounts; a repeat queues nothing', async () => {
    const leaver = await member('leaver');
    const granted = await account('demo', [leaver]);
    const notGranted = await account('demo', [leaver]);
    const unsupported = await account('acme-ads', [leaver]);
    await grant(leaver, granted);
    await grant(leaver, unsupported);

    const refusedToUser = await api.call('POST', `/v1/users/${owner.userId}/universal-logout`, {
      token: leaver.token,
      device: leaver.web,
    });
    const first = await confirmedLogout(leaver.userId);
    const oldSession = await api.call('GET', '/v1/accounts', { token: leaver.token, device: leaver.web });
    await settled([granted, notGranted]);
    const afterFirst = await rotations(granted);
    const repeat = await confirmedLogout(leaver.userId);

    expect(refusedToUser.status).toBe(403);
    expect(first.status).toBe(200);
    expect(first.body.devicesSignedOut).toBe(3);
    expect(first.body.rotations.queued.map((q: { accountId: string }) => q.accountId)).toEqual([granted]);
    expect(first.body.rotations.rotateByHand).toEqual([{ accountId: unsupported, appName: 'acme-ads' }]);
    expect(oldSession.status).toBe(403);
    expect(oldSession.body.error).toBe('device_not_trusted');
    expect(afterFirst.map((r) => [r.trigger, r.status])).toEqual([['universal_logout', 'succeeded']]);
    expect(await rotations(notGranted)).toEqual([]);
    // The rotation succeeded after the grant: nothing left to rotate, and the devices are gone already.
    expect(repeat.status).toBe(200);
    expect(repeat.body.devicesSignedOut).toBe(0);
    expect(repeat.body.rotations.queued).toEqual([]);
    expect(await rotations(granted)).toHaveLength(1);
    expect((await rotateByHand()).find((e) => e.accountId === unsupported)).toMatchObject({
      userIds: [leaver.userId],
      triggers: ['universal_logout'],
    });
  });

  it('a repeat while the rotation is still running reports it in progress instead of queuing another', async () => {
    const leaver = await member('rerun');
    const granted = await account('demo', [leaver]);
    await grant(leaver, granted);

    const first = await confirmedLogout(leaver.userId);
    const second = await confirmedLogout(leaver.userId);
    await settled([granted]);

    expect(first.body.rotations.queued).toHaveLength(1);
    const rotationId = first.body.rotations.queued[0].rotationId;
    const ended = await rotations(granted);
    const firstRotation = ended.find((r) => r.id === rotationId);
    for (const running of second.body.rotations.inProgress) expect(running.rotationId).toBe(rotationId);
    if (second.body.rotations.queued.length === 0) {
      // Still running (reported with its id) or already succeeded (newer than the grant): never twice.
      expect(ended.map((r) => r.id)).toEqual([rotationId]);
    } else {
      // Only when the first one had already failed (on a busy machine the demo app can miss the
      // connector's time box): a failed rotation leaves the granted password, so it rotates again.
      expect(firstRotation?.status).toBe('failed');
      expect(second.body.rotations.inProgress).toEqual([]);
      expect(ended.map((r) => r.id).sort()).toEqual(
        [rotationId, second.body.rotations.queued[0].rotationId].sort(),
      );
    }
  });

  describe('the IdP-initiated form (Global Token Revocation, signed by the dev IdP)', () => {
    let endpoint: string;
    const logoutToken = async (options: Record<string, unknown> = {}) =>
      (await api.call('POST', '/_local/idp/logout-token', { body: { audience: endpoint, ...options } })).body
        .token as string;
    const revoke = (token: string | undefined, subId: unknown) =>
      api.call('POST', `/v1/workspaces/${workspaceId}/global-token-revocation`, {
        ...(token ? { token } : {}),
        body: { sub_id: subId },
      });

    beforeAll(async () => {
      endpoint = `${stack.apiUrl}/v1/workspaces/${workspaceId}/global-token-revocation`;
    });

    it('is refused until the workspace configures its IdP; a JWKS URL off the outbound rules is refused', async () => {
      // The local runtime's one SSRF allowance: plain HTTP to exactly the gateway's loopback origin.
      const devJwks = `${stack.apiUrl.replace('localhost', '127.0.0.1')}/_local/.well-known/jwks.json`;
      const unconfigured = await revoke(await logoutToken(), { format: 'email', email: owner.email });
      const put = (jwksUrl: string) =>
        api.call(
          'PUT',
          '/v1/workspace/directory',
          as({
            body: {
              jitProvisioning: true,
              allowedEmailDomains: ['acme.example'],
              universalLogout: { issuer: DEV_IDP.issuer, jwksUrl },
            },
          }),
        );
      const insecure = await put('http://idp.example/jwks.json');
      const metadata = await put('https://169.254.169.254/latest/meta-data/jwks');
      const privateRange = await put('https://10.0.0.5/keys');
      const otherLoopback = await put(`${stack.apiUrl}/_local/.well-known/jwks.json`);
      const refusedLeftNothing = await api.call('GET', '/v1/workspace/directory', as());
      const configured = await put(devJwks);

      expect(unconfigured.status).toBe(401);
      expect(unconfigured.body).toMatchObject({ error: 'invalid_token', reason: 'not_configured' });
      expect(insecure).toMatchObject({
        status: 422,
        body: { error: 'jwks_url_refused', reason: 'not HTTPS' },
      });
      expect(metadata).toMatchObject({
        status: 422,
        body: { error: 'jwks_url_refused', reason: 'an address in a refused range (linkLocal)' },
      });
      expect(privateRange).toMatchObject({
        status: 422,
        body: { error: 'jwks_url_refused', reason: 'an address in a refused range (private)' },
      });
      // `localhost` is not the allowed origin (only its exact loopback address is).
      expect(otherLoopback).toMatchObject({ status: 422, body: { error: 'jwks_url_refused' } });
      expect(refusedLeftNothing.body.directory.universalLogout).toBeNull();
      expect(configured.status).toBe(200);
      expect(configured.body.directory.universalLogout).toEqual({ issuer: DEV_IDP.issuer, jwksUrl: devJwks });
    });

    it('logs the subject out by email and queues their granted rotation; the token is single use', async () => {
      const leaver = await member('idp-leaver');
      const granted = await account('demo', [leaver]);
      const other = await account('demo', [leaver]);
      await grant(leaver, granted);
      const token = await logoutToken();

      const revoked = await revoke(token, { format: 'email', email: leaver.email.toUpperCase() });
      const replayed = await revoke(token, { format: 'email', email: leaver.email });
      const oldSession = await api.call('GET', '/v1/accounts', { token: leaver.token, device: leaver.web });
      await settled([granted, other]);

      expect(revoked.status).toBe(204);
      expect(revoked.body).toBeUndefined();
      expect(replayed.status).toBe(401);
      expect(replayed.body).toMatchObject({ error: 'invalid_token', reason: 'replayed' });
      expect(oldSession.body.error).toBe('device_not_trusted');
      expect((await rotations(granted)).map((r) => [r.trigger, r.status])).toEqual([
        ['universal_logout', 'succeeded'],
      ]);
      expect(await rotations(other)).toEqual([]);
    });

    it('finds the subject by issuer and subject too', async () => {
      const leaver = await member('idp-iss-sub');
      const revoked = await revoke(await logoutToken(), {
        format: 'iss_sub',
        iss: DEV_IDP.issuer,
        sub: devSubject(leaver.email),
      });
      const oldSession = await api.call('GET', '/v1/accounts', { token: leaver.token, device: leaver.web });

      expect(revoked.status).toBe(204);
      expect(oldSession.body.error).toBe('device_not_trusted');
    });

    it('answers an unknown subject like a known one, and refuses bad requests with stable codes', async () => {
      const bystander = await member('bystander');
      const unknown = await revoke(await logoutToken(), { format: 'email', email: 'nobody@acme.example' });
      const missing = await revoke(undefined, { format: 'email', email: bystander.email });
      const wrongAudience = await revoke(await logoutToken({ audience: `${endpoint}/other` }), {
        format: 'email',
        email: bystander.email,
      });
      const tooLong = await revoke(await logoutToken({ lifetimeSeconds: 3600 }), {
        format: 'email',
        email: bystander.email,
      });
      const badFormat = await revoke(await logoutToken(), { format: 'phone_number', phone_number: '+1555' });
      const noEmail = await revoke(await logoutToken(), { format: 'email' });
      const stillThere = await api.call('GET', '/v1/accounts', {
        token: bystander.token,
        device: bystander.web,
      });

      expect(unknown.status).toBe(204);
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ error: 'invalid_token', reason: 'missing' });
      expect(wrongAudience.status).toBe(401);
      expect(wrongAudience.body).toMatchObject({ error: 'invalid_token', reason: 'wrong_audience' });
      expect(tooLong.body).toMatchObject({ error: 'invalid_token', reason: 'lifetime_too_long' });
      expect(badFormat.status).toBe(400);
      expect(badFormat.body.error).toBe('unsupported_subject_format');
      expect(noEmail.status).toBe(400);
      expect(noEmail.body.error).toBe('invalid_subject');
      expect(stillThere.status).toBe(200);
    });
  });

  it('SCIM deprovisioning queues the account set once (even redelivered) and lists the rest to rotate by hand', async () => {
    const { token: scimToken } = await issueScimToken(
      (await api.call('GET', '/v1/me', { token: owner.token })).body.user as User,
      httpRuntime().deps,
    );
    api.secrets.add(scimToken);
    const email = `scim-gone-${randomUUID().slice(0, 6)}@acme.example`;
    const created = await api.call('POST', '/scim/v2/Users', {
      token: scimToken,
      type: 'application/scim+json',
      rawBody: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        emails: [{ value: email, primary: true }],
      }),
    });
    expect(created.status).toBe(201);
    const gone = await trustedUser(api, email, workspace);
    const supported = await account('demo', [gone]);
    const byHand = await account('vendor-portal', [gone]);
    const untouched = await account('demo', []);

    const deactivated = await api.call('PATCH', `/scim/v2/Users/${created.body.id}`, {
      token: scimToken,
      type: 'application/scim+json',
      rawBody: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
    });
    for (let round = 0; round < 20 && (await rotations(supported)).length === 0; round++) {
      await stack.push.drain();
    }
    await settled([supported]);
    // EventBridge delivers at least once: the same event again must queue nothing.
    const published = (await api.call('GET', '/_local/queues')).body.events as Array<{
      type: string;
      detail: { userId: string };
    }>;
    const event = published.find((e) => e.type === 'user.deprovisioned' && e.detail.userId === gone.userId);
    expect(event).toBeDefined();
    await stack.queues['latchkey-local-user-deprovisioned']?.queue.enqueue([
      { 'detail-type': 'user.deprovisioned', source: 'latchkey', detail: event },
    ]);
    await stack.push.drain();
    await settled([supported]);
    const listed = (await rotateByHand()).find((e) => e.accountId === byHand);
    const cleared = await api.call('DELETE', `/v1/workspace/rotate-by-hand/${byHand}`, as());
    const clearedAgain = await api.call('DELETE', `/v1/workspace/rotate-by-hand/${byHand}`, as());

    expect(deactivated.status).toBe(200);
    expect((await rotations(supported)).map((r) => [r.trigger, r.status])).toEqual([
      ['deprovisioning', 'succeeded'],
    ]);
    expect(await rotations(untouched)).toEqual([]);
    expect(listed).toMatchObject({ userIds: [gone.userId], triggers: ['deprovisioning'] });
    expect(cleared.status).toBe(200);
    expect(clearedAgain.status).toBe(404);
    expect((await rotateByHand()).some((e) => e.accountId === byHand)).toBe(false);
    expect(stack.queues['latchkey-local-user-deprovisioned']?.snapshot().deadLetters).toEqual([]);
  });
});
