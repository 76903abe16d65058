import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { safePost } from '../../../shared/adapters/connectors/safe-http';
import { makeWebhookEndpoint } from '../../../shared/adapters/connectors/webhook-driver';
import { newWebhookSecret, verifyWebhook } from '../../../shared/adapters/connectors/webhook-signature';
import { localDataKeys, makeKeyring } from '../../../shared/adapters/kms/keyring';
import type { EncryptedSecret } from '../../../shared/domain/accounts/model';
import { type ConnectorDeps, runConnector } from '../../../shared/domain/rotation/connector';
import { passwordContext } from '../../../shared/domain/rotation/engine';
import { ConnectorError } from '../../../shared/domain/rotation/errors';
import type { ConnectorRequest } from '../../../shared/domain/rotation/ports';

/**
 * The webhook connector through runConnector, against a real local HTTP endpoint that verifies the
 * signature as a customer's receiver would and answers what each test scripts.
 */
describe('webhook connector', () => {
  const secret = newWebhookSecret();
  const keyring = makeKeyring(localDataKeys(Buffer.alloc(32, 3)));
  const sealed = new Map<number, EncryptedSecret>();
  const received: Array<{ verified: boolean; body: Record<string, unknown> }> = [];
  let reply: { status: number; body: string } = { status: 200, body: '{"status":"succeeded"}' };
  let server: http.Server;
  let origin: string;

  beforeAll(async () => {
    const seen = new Set<string>();
    server = http.createServer(async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const checked = verifyWebhook({
        secret,
        headers: req.headers,
        body: raw,
        nowSeconds: Math.floor(Date.now() / 1000),
        seen: (id) => seen.has(id) || !seen.add(id),
      });
      received.push({ verified: checked.ok, body: JSON.parse(raw) });
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sealed.set(1, await keyring.seal('Old-password-1', passwordContext('acc_1')));
    sealed.set(2, await keyring.seal('New-password-2', passwordContext('acc_1')));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received.length = 0;
    reply = { status: 200, body: '{"status":"succeeded"}' };
  });

  const deps = (withWebhook = true): ConnectorDeps => ({
    secrets: {
      sealedPassword: async (_accountId, version) => sealed.get(version),
      pendingSeed: async () => undefined,
      accountTotp: async () => undefined,
    },
    keyring,
    drivers: {},
    clock: { now: () => new Date() },
    ...(withWebhook
      ? {
          webhookFor: async (accountId: string, appId: string) =>
            accountId === 'acc_1' && appId === 'acme-ads'
              ? makeWebhookEndpoint({
                  url: `${origin}/hook`,
                  secret,
                  post: (url, headers, body) =>
                    safePost(url, headers, body, {
                      timeoutMs: 1_000,
                      maxResponseBytes: 1024,
                      localOrigin: origin,
                    }),
                  now: () => new Date(),
                })
              : undefined,
        }
      : {}),
  });
  const change: ConnectorRequest = {
    op: 'change_password',
    appId: 'acme-ads',
    accountId: 'acc_1',
    username: 'ads@acme.example',
    passwordVersion: 1,
    newVersion: 2,
    rotationId: 'rot_1',
  };
  const check: ConnectorRequest = { ...change, op: 'check_login', passwordVersion: 2, newVersion: undefined };

  it('sends a signed change carrying both passwords, a fresh id each time, and succeeds on `succeeded`', async () => {
    const first = await runConnector(change, deps());
    const second = await runConnector(change, deps());

    expect(first).toEqual({ ok: true });
    expect(second).toEqual({ ok: true });
    expect(received.map((r) => r.verified)).toEqual([true, true]);
    expect(received[0]?.body).toMatchObject({
      type: 'password.change',
      data: {
        rotationId: 'rot_1',
        accountId: 'acc_1',
        appId: 'acme-ads',
        username: 'ads@acme.example',
        version: 2,
        currentVersion: 1,
        currentPassword: 'Old-password-1',
        newPassword: 'New-password-2',
      },
    });
    expect(received[0]?.body.id).not.toBe(received[1]?.body.id);
  });

  it('checks a version without sending any password', async () => {
    const holds = await runConnector(check, deps());
    reply = { status: 200, body: '{"status":"failed"}' };
    const lacks = await runConnector(check, deps());

    expect(holds).toEqual({ ok: true });
    expect(lacks).toEqual({ ok: false, detail: 'the endpoint does not hold that version' });
    expect(received[0]?.body).toMatchObject({
      type: 'password.check',
      data: { version: 2, rotationId: 'rot_1' },
    });
    expect(JSON.stringify(received)).not.toContain('password-');
  });

  it('maps `failed` to a final refusal with the endpoint’s sanitized, shortened reason', async () => {
    reply = {
      status: 200,
      body: JSON.stringify({ status: 'failed', reason: `locked\u202e out ${'x'.repeat(300)}` }),
    };
    const result = await runConnector(change, deps());

    expect(result.ok).toBe(false);
    expect(result.final).toBe(true);
    expect(result.detail).toMatch(/^the endpoint refused the change: locked out x+$/);
    expect(result.detail?.length).toBe('the endpoint refused the change: '.length + 200);
  });

  it('maps `retry_later` to a failed attempt that is retried (not final)', async () => {
    reply = { status: 200, body: '{"status":"retry_later"}' };
    expect(await runConnector(change, deps())).toEqual({
      ok: false,
      detail: 'the endpoint asked to retry later',
    });
  });

  it.each([
    [{ status: 500, body: '{"status":"succeeded"}' }, 'the webhook answered HTTP 500'],
    [{ status: 200, body: 'ok' }, 'the webhook’s answer is not JSON'],
    [{ status: 200, body: '{"status":"done"}' }, 'the webhook’s answer does not match the schema'],
    [{ status: 200, body: '{"ok":true}' }, 'the webhook’s answer does not match the schema'],
  ])('refuses an answer it cannot trust (%j)', async (answer, message) => {
    reply = answer;
    const error = await runConnector(change, deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toBe(message);
  });

  it('says so when the app has neither a driver nor a webhook, and refuses TOTP enrolment for good', async () => {
    expect(await runConnector(change, deps(false))).toEqual({
      ok: false,
      detail: 'no connector for app acme-ads',
    });
    expect(await runConnector({ ...change, op: 'enroll_totp' }, deps())).toEqual({
      ok: false,
      final: true,
      detail: 'the webhook connector does not enrol TOTP',
    });
    expect(received).toHaveLength(0);
  });
});
