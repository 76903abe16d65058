import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../local/dynamodb-local';
import type { LocalStack } from '../local/stack';
import { bootstrapOn } from '../shared/runtime/bootstrap';

/** A document client on the stack's own DynamoDB Local (what tests and scripts read the table with). */
export function stackDocumentClient(stack: LocalStack) {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: stack.dynamodbEndpoint }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export interface CallOptions {
  token?: string | undefined;
  device?: string | undefined;
  body?: unknown;
  confirmation?: string;
}

/** Plain HTTP against a local stack for the load and fault runs (no test framework needed). */
export function stackClient(stack: LocalStack) {
  async function call(method: string, path: string, options: CallOptions = {}) {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.device ? { 'x-latchkey-device': options.device } : {}),
        ...(options.confirmation ? { 'x-latchkey-confirmation': options.confirmation } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: responses are read field by field
    const body: any = text ? JSON.parse(text) : undefined;
    return { status: response.status, body, headers: response.headers, ms: performance.now() - started };
  }

  function expectStatus(response: { status: number; body: unknown }, status: number, what: string) {
    if (response.status !== status) {
      throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body).slice(0, 160)}`);
    }
  }

  async function token(email: string, workspace?: string): Promise<string> {
    const response = await call('POST', '/_local/token', {
      body: { email, ...(workspace ? { workspace } : {}) },
    });
    expectStatus(response, 200, 'token');
    return response.body.token;
  }

  async function emailedCode(to: string): Promise<string> {
    const mail = (await stack.sentEmails()).filter((m) => m.destination.to.includes(to)).at(-1);
    const code = /code is (\d{6})/.exec(mail?.body.text ?? '')?.[1];
    if (!code) throw new Error(`no code emailed to ${to}`);
    return code;
  }

  /**
   * A trusted web session by emailed code; `leavePending` stops after registering (code unused).
   * `registration` replaces the device's registration body (an extension with a public key, say).
   */
  async function webSession(
    email: string,
    workspace?: string,
    leavePending = false,
    registration: Record<string, unknown> = { clientType: 'web', os: 'Linux', browser: 'Firefox' },
  ) {
    const userToken = await token(email, workspace);
    const me = await call('GET', '/v1/me', { token: userToken });
    expectStatus(me, 200, 'me');
    const registered = await call('POST', '/v1/devices', { token: userToken, body: registration });
    expectStatus(registered, 201, 'register');
    const session = {
      token: userToken,
      credential: registered.body.credential as string,
      deviceId: registered.body.device.id as string,
      userId: me.body.user.id as string,
      verified: false,
    };
    if (leavePending) return session;
    const verified = await call('POST', `/v1/devices/${session.deviceId}/verify`, {
      token: userToken,
      device: session.credential,
      body: { code: await emailedCode(email) },
    });
    expectStatus(verified, 200, 'verify');
    return { ...session, verified: true };
  }

  /** A trusted web session plus a trusted phone with a push registration. */
  async function userWithPhone(email: string, workspace?: string) {
    const web = await webSession(email, workspace);
    const phone = await call('POST', '/v1/devices', {
      token: web.token,
      body: { clientType: 'mobile', os: 'iOS' },
    });
    expectStatus(phone, 201, 'phone');
    expectStatus(
      await call('POST', `/v1/devices/${phone.body.device.id}/approve`, {
        token: web.token,
        device: web.credential,
        body: { number: phone.body.device.numberToMatch },
      }),
      200,
      'approve phone',
    );
    expectStatus(
      await call('PUT', `/v1/devices/${phone.body.device.id}/push-registration`, {
        token: web.token,
        device: phone.body.credential,
        body: { platform: 'APNS', token: `apns-${crypto.randomUUID()}` },
      }),
      200,
      'push registration',
    );
    return { ...web, phone: phone.body.credential as string, phoneId: phone.body.device.id as string };
  }

  /** A shared account with a managed number (and address) owned by `owner`, shared with `members`. */
  async function sharedAccount(owner: { token: string; credential: string }, members: string[] = []) {
    const auth = { token: owner.token, device: owner.credential };
    const created = await call('POST', '/v1/accounts', {
      ...auth,
      body: {
        appName: 'Fault Ads',
        loginUrl: 'https://ads.example.com/login',
        username: 'ads@load.example',
        password: 'p@ss-Word-42',
      },
    });
    expectStatus(created, 201, 'account');
    const id = created.body.account.id as string;
    for (const userId of members) {
      expectStatus(
        await call('PUT', `/v1/accounts/${id}/members/${userId}`, {
          ...auth,
          body: { role: 'collaborator' },
        }),
        200,
        'share',
      );
    }
    const number = await call('POST', `/v1/accounts/${id}/phone-number`, {
      ...auth,
      body: { type: 'non_voip' },
    });
    expectStatus(number, 201, 'phone number');
    const address = await call('POST', `/v1/accounts/${id}/email-address`, auth);
    if (address.status !== 200) expectStatus(address, 201, 'email address');
    return {
      id,
      phoneNumber: number.body.phoneNumber as string,
      emailAddress: address.body.emailAddress as string,
    };
  }

  /**
   * Bootstraps a workspace the way `npm run bootstrap` does (no sign-in creates one): `ownerEmail`'s
   * first sign-in is its owner; just-in-time users of `jitDomains` may join. Returns the workspace name.
   */
  async function bootstrap(workspace: string, ownerEmail: string, jitDomains: string[]) {
    await bootstrapOn(
      stackDocumentClient(stack),
      stack.tableName,
    )({ workspaceName: workspace, ownerEmail, jitEmailDomains: jitDomains });
    return workspace;
  }

  return { call, expectStatus, token, emailedCode, webSession, userWithPhone, sharedAccount, bootstrap };
}
