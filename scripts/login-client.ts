// `npm run login:demo`: the client's side of a Latchkey login, step by step, against the local stack
// (`npm start` in another terminal). It plays a browser extension: makes a non-extractable P-256 key,
// registers with its public half, gets a login grant and opens it, then waits for the verification
// code the app sends (here: an SMS through the local inbound simulator) and opens that too.
// LATCHKEY_API (default http://localhost:3000) and LATCHKEY_SES (default http://localhost:8005).
// See docs/logins.md.

import { randomUUID, webcrypto } from 'node:crypto';
import { compactDecrypt } from 'jose';
import { SEED_WORKSPACE } from '../local/seed';
import { waitForEmails } from '../local/ses-local';

interface Endpoints {
  apiUrl: string;
  sesUrl: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the example reads a few known fields of the JSON answers
type Json = Record<string, unknown> & { [key: string]: any };

async function call(
  endpoints: Endpoints,
  method: string,
  path: string,
  options: { token?: string; device?: string; body?: unknown } = {},
): Promise<Json> {
  const response = await fetch(`${endpoints.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.device ? { 'x-latchkey-device': options.device } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const body = (await response.json()) as Json;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Step 1: the key pair. The private key is not extractable: it can only ever be used on this device. */
async function deviceKeyPair() {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  return { publicJwk: await webcrypto.subtle.exportKey('jwk', pair.publicKey), privateKey: pair.privateKey };
}

/** Opens a compact JWE from Latchkey with the device's private key. */
async function openJwe(jwe: string, privateKey: webcrypto.CryptoKey): Promise<Json> {
  const { plaintext } = await compactDecrypt(jwe, privateKey as Parameters<typeof compactDecrypt>[1]);
  return JSON.parse(new TextDecoder().decode(plaintext)) as Json;
}

/** A dev IdP token and a device trusted by the emailed code (what the web app's onboarding does). */
async function trustedDevice(endpoints: Endpoints, email: string, workspace: string, device: Json) {
  const { token } = await call(endpoints, 'POST', '/_local/token', { body: { email, workspace } });
  const since = Math.floor(Date.now() / 1000);
  const registered = await call(endpoints, 'POST', '/v1/devices', { token, body: device });
  const mail = (
    await waitForEmails(endpoints.sesUrl, (m) => m.destination.to.includes(email) && m.at >= since)
  ).at(-1);
  const code = /code is (\d{6})/.exec(mail?.body.text ?? '')?.[1];
  if (!code) throw new Error(`no verification code emailed to ${email}`);
  await call(endpoints, 'POST', `/v1/devices/${registered.device.id}/verify`, {
    token,
    device: registered.credential,
    body: { code },
  });
  return {
    token: token as string,
    credential: registered.credential as string,
    deviceId: registered.device.id,
  };
}

export async function runLoginDemo(endpoints: Endpoints, log: (line: string) => void = console.log) {
  // The local stack's seeded workspace, open to just-in-time users of acme.example (no sign-in creates one).
  const workspace = SEED_WORKSPACE;
  const ownerEmail = `owner-${randomUUID().slice(0, 6)}@acme.example`;
  const collaboratorEmail = `collab-${randomUUID().slice(0, 6)}@acme.example`;

  // Set-up an owner would do in the web app: an account with a managed number, shared with a collaborator.
  const owner = await trustedDevice(endpoints, ownerEmail, workspace, { clientType: 'web', os: 'macOS' });
  const { account } = await call(endpoints, 'POST', '/v1/accounts', {
    token: owner.token,
    device: owner.credential,
    body: {
      appName: 'Acme Ads',
      loginUrl: 'https://ads.example.com/login',
      username: 'ads@acme.example',
      password: `demo-${randomUUID()}`,
    },
  });
  const { phoneNumber } = await call(endpoints, 'POST', `/v1/accounts/${account.id}/phone-number`, {
    token: owner.token,
    device: owner.credential,
    body: { type: 'non_voip' },
  });

  // 1-2. The extension makes its key pair and registers with the public half; the user verifies it.
  const keys = await deviceKeyPair();
  const extension = await trustedDevice(endpoints, collaboratorEmail, workspace, {
    clientType: 'extension',
    os: 'macOS',
    browser: 'Chrome',
    publicKey: keys.publicJwk,
  });
  const me = await call(endpoints, 'GET', '/v1/me', { token: extension.token });
  await call(endpoints, 'PUT', `/v1/accounts/${account.id}/members/${me.user.id}`, {
    token: owner.token,
    device: owner.credential,
    body: { role: 'collaborator' },
  });
  log(`extension ${extension.deviceId} registered with its public key`);

  // 3. A login grant: the credentials, sealed to this device's key, for 60 seconds.
  const as = { token: extension.token, device: extension.credential };
  const { grant } = await call(endpoints, 'POST', `/v1/accounts/${account.id}/login-grants`, as);
  const credentials = await openJwe(grant.jwe, keys.privateKey);
  log(
    `grant ${grant.id} opened: username ${credentials.username}, password of ${credentials.password.length} characters, until ${grant.expiresAt}`,
  );

  // 4. The client fills username and password at credentials.loginUrl; the app asks for a code and
  //    texts it to the managed number (the local inbound SMS simulator stands in for the app here).
  await call(endpoints, 'POST', '/_local/inbound/sms', {
    body: { from: '+12025550123', to: phoneNumber, body: 'Your Acme Ads code is 493817.' },
  });

  // 5. Poll for the code that arrived after the grant, and open it with the same key.
  let code: Json | undefined;
  for (let attempt = 0; attempt < 30 && !code; attempt++) {
    const poll = await call(endpoints, 'GET', `/v1/accounts/${account.id}/login-grants/${grant.id}/code`, as);
    if (poll.status === 'ready') code = await openJwe(poll.jwe, keys.privateKey);
    else await new Promise((resolve) => setTimeout(resolve, poll.retryAfter * 1000));
  }
  if (!code) throw new Error('no code arrived');
  log(`code ${code.code} from ${code.from} (${code.source}) filled in`);

  // 6. Report the outcome, tied to the grant: it counts toward "credentials are correct".
  const { loginResult } = await call(endpoints, 'POST', `/v1/accounts/${account.id}/login-results`, {
    ...as,
    body: { success: true, grantId: grant.id },
  });
  log(`login result recorded at ${loginResult.at}`);
  return { grantId: grant.id as string, code: code.code as string, username: credentials.username as string };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runLoginDemo({
    apiUrl: process.env.LATCHKEY_API ?? 'http://localhost:3000',
    sesUrl: process.env.LATCHKEY_SES ?? 'http://localhost:8005',
  }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
