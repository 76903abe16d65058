import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { ApiError, createClient } from '../../shared/http/client';
import { CSRF_HEADER, DEVICE_COOKIE } from '../../shared/http/device-cookie';
import { captureLogs } from '../support/http-event';
import { client } from './client';

describe('the device credential as a browser cookie', () => {
  let stack: LocalStack;
  let logs: ReturnType<typeof captureLogs>;
  let helper: ReturnType<typeof client>;

  beforeAll(async () => {
    logs = captureLogs();
    stack = await bootInMemoryStack();
    helper = client(stack);
  });
  afterAll(async () => {
    logs?.restore();
    await stack?.stop();
  });

  /** The typed client as a browser would use it: a bearer token plus whatever headers the test adds. */
  async function signIn() {
    const email = `cookie-${randomUUID().slice(0, 8)}@acme.example`;
    const token = await helper.token(email);
    let extra: Record<string, string> = {};
    const api = createClient({
      baseUrl: stack.apiUrl,
      headers: () => ({ authorization: `Bearer ${token}`, ...extra }),
    });
    return { email, api, use: (headers: Record<string, string>) => (extra = headers) };
  }

  async function registerWeb(
    headers: Record<string, string>,
    device: Record<string, string> = { clientType: 'web', os: 'Linux', browser: 'Chromium' },
  ) {
    const session = await signIn();
    const response = await fetch(`${stack.apiUrl}/v1/devices`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await helper.token(session.email)}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(device),
    });
    return { session, response, body: (await response.json()) as Record<string, unknown> };
  }

  function cookieOf(response: Response): { value: string; attributes: string[] } {
    const header = response.headers.getSetCookie().find((line) => line.startsWith(`${DEVICE_COOKIE}=`));
    expect(header, 'no device cookie set').toBeDefined();
    const [pair = '', ...attributes] = (header as string).split(/;\s*/);
    return { value: pair.slice(DEVICE_COOKIE.length + 1), attributes };
  }

  it('sets an HttpOnly, Secure, SameSite=Strict __Host- cookie and keeps the credential out of the body', async () => {
    const { response, body } = await registerWeb({ [CSRF_HEADER]: '1' });

    const cookie = cookieOf(response);
    expect(response.status).toBe(201);
    expect(cookie.value).toMatch(/^[\w.-]{40,}$/);
    expect(cookie.attributes).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']),
    );
    expect(cookie.attributes.some((a) => a.toLowerCase().startsWith('domain'))).toBe(false);
    expect(body).not.toHaveProperty('credential');
  });

  it('authenticates a request by the cookie when the CSRF header comes with it', async () => {
    const { session, response, body } = await registerWeb({ [CSRF_HEADER]: '1' });
    const cookie = `${DEVICE_COOKIE}=${cookieOf(response).value}`;
    session.use({ cookie, [CSRF_HEADER]: '1' });
    const deviceId = (body.device as { id: string }).id;

    const pending = await session.api.call('getCurrentDevice');
    const code = await helper.emailedCode(session.email);
    const verified = await session.api.call('verifyDevice', { params: { id: deviceId }, body: { code } });
    const listed = await session.api.call('listDevices');

    expect(pending.device).toMatchObject({ id: deviceId, status: 'pending_verification', current: true });
    expect(verified.device.status).toBe('trusted');
    expect(listed.items.map((d) => d.id)).toEqual([deviceId]);
  });

  it('refuses the cookie without the CSRF header: 403 csrf_header_required', async () => {
    const { session, response } = await registerWeb({ [CSRF_HEADER]: '1' });
    session.use({ cookie: `${DEVICE_COOKIE}=${cookieOf(response).value}` });

    const refused = await session.api.call('getCurrentDevice').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 403, code: 'csrf_header_required' });
  });

  it('sets no cookie for a mobile registration, even one that sends the CSRF header', async () => {
    const { response, body } = await registerWeb({ [CSRF_HEADER]: '1' }, { clientType: 'mobile', os: 'iOS' });

    expect(response.status).toBe(201);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(body.credential).toEqual(expect.any(String));
  });

  it('keeps the header for other clients: the header wins over a stale cookie', async () => {
    const session = await signIn();
    const mobile = await session.api.call('registerDevice', {
      body: { clientType: 'mobile', os: 'iOS', model: 'iPhone' },
    });
    const credential = mobile.credential as string;
    helper.secrets.add(credential);
    // A stale cookie beside a valid header, no CSRF header: the header is what counts.
    session.use({ 'x-latchkey-device': credential, cookie: `${DEVICE_COOKIE}=stale` });

    const current = await session.api.call('getCurrentDevice');

    expect(credential).toMatch(/^[\w.-]{40,}$/);
    expect(current.device).toMatchObject({ id: mobile.device.id, clientType: 'mobile' });
  });

  it('still returns the credential to a web client that registers without the CSRF header (scripts, CLI)', async () => {
    const { response, body } = await registerWeb({});

    expect(response.status).toBe(201);
    expect(body.credential).toBe(cookieOf(response).value);
  });
});
