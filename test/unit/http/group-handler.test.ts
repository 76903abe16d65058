import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeviceCredentialInvalidError,
  DeviceCredentialRequiredError,
} from '../../../shared/domain/devices/errors';
import type { Device } from '../../../shared/domain/devices/model';
import { UserDeprovisionedError } from '../../../shared/domain/errors';
import type { CallerIdentity } from '../../../shared/domain/users/model';
import { createGroupHandler } from '../../../shared/http/handler';
import { coreRoutes } from '../../../shared/http/routes/core';
import { aDevice, aUser } from '../../support/fakes';
import { captureLogs, httpEvent, lambdaContext } from '../../support/http-event';

const ME = 'GET /v1/me';
const PATCH_ME = 'PATCH /v1/me';

function usersHandler(
  overrides: {
    resolveCaller?: (identity: CallerIdentity) => Promise<ReturnType<typeof aUser>>;
    device?: Device | Error;
  } = {},
) {
  const resolved: CallerIdentity[] = [];
  const handler = createGroupHandler(
    'users',
    coreRoutes,
    {
      getMe: async ({ caller, device }) => ({
        user: { ...caller },
        ...(device ? { session: { deviceId: device.id, trusted: device.status === 'trusted' } } : {}),
      }),
      updateMe: async ({ caller, body }) => {
        if (body.name === 'explode') throw new Error('database password is hunter2');
        return { user: { ...caller, name: body.name } };
      },
      deprovisionUser: async ({ caller, params }) => ({ user: { ...caller, id: params.userId } }),
    },
    {
      maxBodyBytes: 100,
      workspaceClaim: 'custom:workspace',
      resolveCaller:
        overrides.resolveCaller ??
        (async (identity) => {
          resolved.push(identity);
          return aUser({ email: identity.email });
        }),
      authenticateDevice: async (_caller, credential) => {
        if (!credential) throw new DeviceCredentialRequiredError();
        const device = overrides.device ?? aDevice();
        if (device instanceof Error) throw device;
        return device;
      },
      now: () => new Date('2026-11-23T12:00:00.000Z'),
    },
  );
  return { handler, resolved };
}

async function invoke(
  handler: ReturnType<typeof usersHandler>['handler'],
  event: Parameters<typeof httpEvent>[0],
) {
  const result = await handler(httpEvent(event), lambdaContext() as never);
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null'), headers: result.headers };
}

describe('createGroupHandler', () => {
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  it('returns the route result as JSON with no-store caching when everything is valid', async () => {
    const { handler, resolved } = usersHandler();

    const response = await invoke(handler, { routeKey: ME });

    expect(response.status).toBe(200);
    expect(response.body.user.email).toBe('alice@acme.example');
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(resolved[0]).toEqual({
      issuer: 'https://idp.test',
      subject: 'subject-1',
      email: 'alice@acme.example',
      name: 'Alice',
      workspaceName: 'acme',
      // No email_verified claim: the email may not link to a provisioned user.
      emailVerified: false,
    });
  });

  it('checks an optional device credential on GET /v1/me, whatever the device status', async () => {
    const pending = aDevice({ status: 'pending_approval', pendingUntil: '2026-11-23T12:10:00.000Z' });
    const withDevice = await invoke(usersHandler({ device: pending }).handler, {
      routeKey: ME,
      headers: { 'x-latchkey-device': 'dev_1.secret' },
    });
    const without = await invoke(usersHandler({ device: pending }).handler, { routeKey: ME });
    const invalid = await invoke(usersHandler({ device: new DeviceCredentialInvalidError() }).handler, {
      routeKey: ME,
      headers: { 'x-latchkey-device': 'dev_1.forged' },
    });

    expect(withDevice.body.session).toEqual({ deviceId: 'dev_1', trusted: false });
    expect(without.body).not.toHaveProperty('session');
    expect(invalid).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
  });

  it('answers 404 not_found for a route key the group does not serve', async () => {
    const { handler } = usersHandler();

    const response = await invoke(handler, { routeKey: '$default' });

    expect(response).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers 400 invalid_json for a malformed body and never calls the route', async () => {
    const { handler, resolved } = usersHandler();

    const response = await invoke(handler, { routeKey: PATCH_ME, body: '{"name": ' });

    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    expect(resolved).toHaveLength(0);
  });

  it('answers 400 validation_failed listing every bad field', async () => {
    const { handler } = usersHandler();

    const response = await invoke(handler, { routeKey: PATCH_ME, body: '{"name": "", "extra": 1}' });

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    const fields = response.body.fields.map((f: { field: string }) => f.field);
    expect(fields).toContain('body.name');
    expect(fields.some((field: string) => field.startsWith('body'))).toBe(true);
    expect(response.body.fields.length).toBeGreaterThanOrEqual(2);
  });

  it('answers 400 validation_failed when a body is required and missing', async () => {
    const { handler } = usersHandler();

    const response = await invoke(handler, { routeKey: PATCH_ME });

    expect(response).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(response.body.fields[0].field).toBe('body');
  });

  it('answers 413 payload_too_large above the configured limit, counting bytes not characters', async () => {
    const { handler } = usersHandler();
    // 40 three-byte characters: 120 bytes over a 100-byte limit, though only 50-odd characters.
    const body = JSON.stringify({ name: '€'.repeat(40) });

    const response = await invoke(handler, { routeKey: PATCH_ME, body });

    expect(response).toMatchObject({ status: 413, body: { error: 'payload_too_large', limitBytes: 100 } });
  });

  it('decodes base64 bodies before parsing them', async () => {
    const { handler } = usersHandler();
    const body = Buffer.from(JSON.stringify({ name: 'Alicia' })).toString('base64');

    const response = await invoke(handler, { routeKey: PATCH_ME, body, isBase64Encoded: true });

    expect(response).toMatchObject({ status: 200, body: { user: { name: 'Alicia' } } });
  });

  it('answers 415 unsupported_media_type for a body that is not JSON', async () => {
    const { handler } = usersHandler();

    const response = await invoke(handler, {
      routeKey: PATCH_ME,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(response).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
  });

  it.each([
    ['no subject', { sub: '' }],
    ['no email', { email: '' }],
    ['no workspace claim', { 'custom:workspace': '' }],
  ])('answers 401 unauthorized when the token has %s', async (_case, claims) => {
    const { handler } = usersHandler();

    const response = await invoke(handler, {
      routeKey: ME,
      claims: {
        iss: 'https://idp.test',
        sub: 's',
        email: 'a@b.example',
        'custom:workspace': 'acme',
        ...claims,
      },
    });

    expect(response).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
  });

  it('answers 403 user_deprovisioned when the caller was deprovisioned', async () => {
    const { handler } = usersHandler({
      resolveCaller: async () => {
        throw new UserDeprovisionedError();
      },
    });

    const response = await invoke(handler, { routeKey: ME });

    expect(response).toMatchObject({ status: 403, body: { error: 'user_deprovisioned' } });
  });

  it('answers 500 internal without leaking the error, and logs it with the request id', async () => {
    const { handler } = usersHandler();

    const response = await invoke(handler, { routeKey: PATCH_ME, body: '{"name":"explode"}' });

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: 'internal',
      message: expect.any(String),
      requestId: 'req-test-1',
    });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    const errorLine = logs.json().find((line) => line.message === 'unexpected error');
    expect(errorLine).toMatchObject({ level: 'ERROR', requestId: 'req-test-1' });
  });

  it('logs one access line per request with route, status, duration and request id, but no body', async () => {
    const { handler } = usersHandler();

    await invoke(handler, { routeKey: PATCH_ME, body: '{"name":"Secret Name 42"}' });

    const lines = logs.json().filter((line) => line.message === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      route: PATCH_ME,
      status: 200,
      requestId: 'req-test-1',
      service: 'latchkey',
    });
    expect(typeof lines[0]?.durationMs).toBe('number');
    expect(logs.lines.join('')).not.toContain('Secret Name 42');
  });

  describe('function-level checks from the manifest (deprovisionUser: trusted, web, admin roles)', () => {
    const DEPROVISION = 'POST /v1/users/{userId}/deprovision';
    const request = (headers: Record<string, string> = { 'x-latchkey-device': 'dev_1.secret' }) => ({
      routeKey: DEPROVISION,
      pathParameters: { userId: 'usr_2' },
      headers,
    });

    it('runs the route for a trusted web device of an owner', async () => {
      const { handler } = usersHandler();

      expect(await invoke(handler, request())).toMatchObject({
        status: 200,
        body: { user: { id: 'usr_2' } },
      });
    });

    it('answers 401 device_credential_required without the device header', async () => {
      const { handler } = usersHandler();

      const response = await invoke(handler, request({}));

      expect(response).toMatchObject({ status: 401, body: { error: 'device_credential_required' } });
    });

    it('answers 401 unauthorized for an unknown credential', async () => {
      const { handler } = usersHandler({ device: new DeviceCredentialInvalidError() });

      expect(await invoke(handler, request())).toMatchObject({
        status: 401,
        body: { error: 'unauthorized' },
      });
    });

    it.each([
      ['pending', aDevice({ status: 'pending_approval', pendingUntil: '2026-11-23T12:10:00.000Z' })],
      ['disabled', aDevice({ status: 'disabled' })],
      [
        'expired while pending',
        aDevice({ status: 'pending_approval', pendingUntil: '2026-11-23T11:59:59.000Z' }),
      ],
    ])('answers 403 device_not_trusted for a %s device', async (_case, device) => {
      const { handler } = usersHandler({ device });

      expect(await invoke(handler, request())).toMatchObject({
        status: 403,
        body: { error: 'device_not_trusted' },
      });
    });

    it('answers 403 client_type_not_allowed for a trusted mobile device on a web-only route', async () => {
      const { handler } = usersHandler({ device: aDevice({ clientType: 'mobile' }) });

      const response = await invoke(handler, request());

      expect(response).toMatchObject({
        status: 403,
        body: { error: 'client_type_not_allowed', allowedClientTypes: ['web'] },
      });
    });

    it('answers 403 forbidden for a role the route does not list', async () => {
      const { handler } = usersHandler({ resolveCaller: async () => aUser({ workspaceRole: 'user' }) });

      expect(await invoke(handler, request())).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    });
  });

  it('refuses to build a group whose routes lack an implementation', () => {
    expect(() =>
      createGroupHandler('users', coreRoutes, { getMe: async () => ({ user: aUser() }) } as never),
    ).toThrow(/updateMe/);
  });
});
