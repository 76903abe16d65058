import { randomUUID } from 'node:crypto';
import { compactDecrypt, exportJWK, generateKeyPair } from 'jose';
import { expect } from 'vitest';
import type { client } from '../e2e/client';

type Api = ReturnType<typeof client>;

/**
 * A user's first trusted session over HTTP: a web device registered and verified by the code emailed
 * to `email`. The credential joins `api.secrets` so suites that scan stored items look for it too.
 */
export async function trustedWebSession(
  api: Api,
  email: string,
  options: { workspace?: string; device?: Record<string, string> } = {},
) {
  const token = await api.token(email, options.workspace);
  const registered = await api.call('POST', '/v1/devices', {
    token,
    body: { clientType: 'web', os: 'macOS', ...options.device },
  });
  expect(registered.status).toBe(201);
  const credential = registered.body.credential as string;
  api.secrets.add(credential);
  const code = await api.emailedCode(email);
  const verified = await api.call('POST', `/v1/devices/${registered.body.device.id}/verify`, {
    token,
    device: credential,
    body: { code },
  });
  expect(verified.status).toBe(200);
  return { token, credential, deviceId: registered.body.device.id as string };
}

/** A mobile app registered by the user of `token` and approved, with the right number, from a trusted device. */
export async function approvedPhone(api: Api, token: string, approver: string) {
  const phone = await api.call('POST', '/v1/devices', { token, body: { clientType: 'mobile', os: 'iOS' } });
  expect(phone.status).toBe(201);
  const approved = await api.call('POST', `/v1/devices/${phone.body.device.id}/approve`, {
    body: { number: phone.body.device.numberToMatch },
    token,
    device: approver,
  });
  expect(approved.status).toBe(200);
  return { credential: phone.body.credential as string, deviceId: phone.body.device.id as string };
}

/** Registers an APNs push token for the trusted phone, so fan-out reaches it. */
export async function registerPush(api: Api, token: string, phone: { credential: string; deviceId: string }) {
  const registered = await api.call('PUT', `/v1/devices/${phone.deviceId}/push-registration`, {
    token,
    device: phone.credential,
    body: { platform: 'APNS', token: `apns-${randomUUID()}` },
  });
  expect(registered.status).toBe(200);
}

/**
 * A user with a trusted web session (by emailed code) and a trusted phone approved from the web with a
 * push registration: what every confirmed route needs.
 */
export async function trustedUser(api: Api, email: string, workspace: string) {
  const web = await trustedWebSession(api, email, { workspace });
  const phone = await approvedPhone(api, web.token, web.credential);
  await registerPush(api, web.token, phone);
  const me = await api.call('GET', '/v1/me', { token: web.token });
  return {
    token: web.token,
    email,
    web: web.credential,
    phone: phone.credential,
    phoneId: phone.deviceId,
    userId: me.body.user.id as string,
  };
}

/** An extension key pair as a client library makes it (the private half never leaves the test). */
export async function extensionKey() {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256' });
  return { jwk: await exportJWK(publicKey), privateKey };
}

/** Decrypts a compact JWE (a login grant, a code) with the device's private key. */
export async function openJwe(jwe: string, key: Parameters<typeof compactDecrypt>[1]) {
  const { plaintext } = await compactDecrypt(jwe, key);
  return JSON.parse(new TextDecoder().decode(plaintext));
}

/** A browser extension of the user, registered with its key and verified by the emailed code. */
export async function registerKeyedExtension(api: Api, user: { token: string; email: string }, jwk: unknown) {
  const since = Math.floor(Date.now() / 1000);
  const registered = await api.call('POST', '/v1/devices', {
    token: user.token,
    body: { clientType: 'extension', os: 'macOS', browser: 'Chrome', publicKey: jwk },
  });
  expect(registered.status).toBe(201);
  const credential = registered.body.credential as string;
  const code = await api.emailedCode(user.email, since);
  const verified = await api.call('POST', `/v1/devices/${registered.body.device.id}/verify`, {
    token: user.token,
    device: credential,
    body: { code },
  });
  expect(verified.body.device.publicKey.thumbprint).toMatch(/^[\w-]{43}$/);
  return { credential, deviceId: registered.body.device.id as string };
}
