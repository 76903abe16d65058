import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { captureLogs } from '../support/http-event';

const MAX_BODY_BYTES = 2048;

describe('local stack over HTTP', () => {
  let stack: LocalStack;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    logs = captureLogs();
    stack = await bootInMemoryStack({ env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  });
  afterAll(async () => {
    logs?.restore();
    await stack?.stop();
  });

  async function token(email: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await fetch(`${stack.apiUrl}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, ...extra }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: string; type?: string } = {},
  ) {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': options.type ?? 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  it('answers the public health check without a token', async () => {
    expect(await call('GET', '/v1/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('returns the seeded owner from /v1/me with a dev IdP token', async () => {
    const response = await call('GET', '/v1/me', { token: await token('alice@acme.example') });

    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({
      email: 'alice@acme.example',
      name: 'Alice Owner',
      workspaceRole: 'owner',
      status: 'active',
      id: expect.stringMatching(/^usr_/),
      workspaceId: expect.stringMatching(/^ws_/),
    });
  });

  it('seeds every demo user in workspace acme with its role', async () => {
    const expected = {
      'carol@acme.example': 'admin',
      'bob@acme.example': 'user',
      'dave@acme.example': 'login_only',
      'gina@partner.example': 'guest',
    };
    const alice = (await call('GET', '/v1/me', { token: await token('alice@acme.example') })).body.user;
    for (const [email, role] of Object.entries(expected)) {
      const { body } = await call('GET', '/v1/me', { token: await token(email) });
      expect(body.user, email).toMatchObject({ workspaceRole: role, workspaceId: alice.workspaceId });
    }
  });

  it('seeds a second workspace, globex, with its own owner, isolated from acme', async () => {
    const alice = (await call('GET', '/v1/me', { token: await token('alice@acme.example') })).body.user;
    const hank = (await call('GET', '/v1/me', { token: await token('hank@globex.example') })).body.user;
    const iris = (await call('GET', '/v1/me', { token: await token('iris@globex.example') })).body.user;

    expect(hank).toMatchObject({ workspaceRole: 'owner' });
    expect(iris).toMatchObject({ workspaceRole: 'user', workspaceId: hank.workspaceId });
    expect(hank.workspaceId).not.toBe(alice.workspaceId);
  });

  it('provisions an unknown user just in time as a member of acme, once', async () => {
    const zed = await token('zed@acme.example');

    const first = await call('GET', '/v1/me', { token: zed });
    const second = await call('GET', '/v1/me', { token: zed });

    expect(first.body.user).toMatchObject({ email: 'zed@acme.example', workspaceRole: 'user' });
    expect(second.body.user.id).toBe(first.body.user.id);
  });

  it('refuses 403 not_provisioned to sign-ins the workspace does not let in, creating nothing', async () => {
    const closed = await call('GET', '/v1/me', {
      token: await token('zoe@globex.example', { workspace: 'globex' }),
    });
    const foreignDomain = await call('GET', '/v1/me', { token: await token('mallory@evil.example') });
    const noWorkspace = await call('GET', '/v1/me', {
      token: await token('owner@acme.example', { workspace: 'never-bootstrapped' }),
    });
    const again = await call('GET', '/v1/me', { token: await token('mallory@evil.example') });

    for (const refused of [closed, foreignDomain, noWorkspace, again]) {
      expect(refused).toMatchObject({ status: 403, body: { error: 'not_provisioned' } });
    }
  });

  it('renames the caller with PATCH /v1/me and keeps the new name', async () => {
    const bob = await token('bob@acme.example');

    const patched = await call('PATCH', '/v1/me', {
      token: bob,
      body: JSON.stringify({ name: '  Robert  ' }),
    });
    const read = await call('GET', '/v1/me', { token: bob });

    expect(patched).toMatchObject({ status: 200, body: { user: { name: 'Robert' } } });
    expect(read.body.user.name).toBe('Robert');
  });

  describe('errors', () => {
    it('401 unauthorized without a token, with a malformed one, and with one from another issuer', async () => {
      const alien = (await token('alice@acme.example')).split('.');
      alien[1] = Buffer.from(JSON.stringify({ iss: 'https://evil.example', sub: 'x' })).toString('base64url');

      for (const bad of [undefined, 'not-a-jwt', alien.join('.')]) {
        const response = await call('GET', '/v1/me', bad ? { token: bad } : {});
        expect(response).toMatchObject({
          status: 401,
          body: { error: 'unauthorized', message: expect.any(String) },
        });
      }
    });

    it('404 not_found for an unknown path and for a known path with another method', async () => {
      expect(await call('GET', '/v1/nothing-here')).toMatchObject({
        status: 404,
        body: { error: 'not_found' },
      });
      expect(await call('DELETE', '/v1/me')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    });

    it('400 invalid_json for a malformed body', async () => {
      const response = await call('PATCH', '/v1/me', {
        token: await token('bob@acme.example'),
        body: '{"name":',
      });
      expect(response).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    });

    it('400 validation_failed listing the fields', async () => {
      const response = await call('PATCH', '/v1/me', {
        token: await token('bob@acme.example'),
        body: JSON.stringify({ name: 42, colour: 'red' }),
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('validation_failed');
      expect(response.body.fields.map((f: { field: string }) => f.field)).toContain('body.name');
    });

    it('413 payload_too_large above the configured limit, and the user is unchanged', async () => {
      const carol = await token('carol@acme.example');
      const response = await call('PATCH', '/v1/me', {
        token: carol,
        body: JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }),
      });
      expect(response).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large', limitBytes: MAX_BODY_BYTES },
      });
      expect((await call('GET', '/v1/me', { token: carol })).body.user.name).toBe('Carol Admin');
    });

    it('415 unsupported_media_type for a body that is not JSON', async () => {
      const response = await call('PATCH', '/v1/me', {
        token: await token('bob@acme.example'),
        body: 'name=Bob',
        type: 'text/plain',
      });
      expect(response).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    });

    it('400 validation_failed from the dev IdP for a token request without a valid email', async () => {
      const response = await fetch(`${stack.apiUrl}/_local/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nope' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'validation_failed' });
    });
  });

  it('logs one access line per request with route, status and request id, never the token', async () => {
    const alice = await token('alice@acme.example');
    const response = await call('GET', '/v1/me', { token: alice });
    const requestId = response.headers.get('apigw-requestid');

    const line = logs.json().find((entry) => entry.message === 'request' && entry.requestId === requestId);

    expect(line).toMatchObject({ route: 'GET /v1/me', status: 200, service: 'latchkey' });
    expect(logs.lines.join('')).not.toContain(alice);
  });

  it('publishes the dev IdP keys', async () => {
    const response = await call('GET', '/_local/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.body.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(response.body.keys[0]).not.toHaveProperty('d');
  });

  // Last: it stops the database.
  it('503 service_unavailable with Retry-After, a request id and no internals when the database is down', async () => {
    const newcomer = await token('late@acme.example');
    await stack.dynamodb.stop();

    const response = await call('GET', '/v1/me', { token: newcomer });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toEqual({
      error: 'service_unavailable',
      message: expect.any(String),
      retryAfter: 5,
      requestId: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/i);
  });
});
