import { randomUUID } from 'node:crypto';
import type { LocalStack } from '../local/stack';
import { bootstrapWorkspace, countDynamoRequests } from './local-stack';
import { round, summarize } from './stats';

export async function call(
  stack: LocalStack,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: benchmark plumbing reads a few known fields
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** The owner of a fresh workspace with a trusted web session (by code) and a trusted phone. */
export async function ownerWithPhone(stack: LocalStack) {
  const email = `bench-idc-${randomUUID().slice(0, 8)}@acme.example`;
  const workspace = `bench-${randomUUID().slice(0, 8)}`;
  await bootstrapWorkspace(stack, workspace, email);
  const issued = await call(stack, 'POST', '/_local/token', {}, { email, workspace });
  const auth = { authorization: `Bearer ${issued.body.token}` };
  const web = await call(stack, 'POST', '/v1/devices', auth, {
    clientType: 'web',
    os: 'Linux',
    browser: 'Firefox',
  });
  const mail = (await stack.sentEmails()).filter((m) => m.destination.to.includes(email)).at(-1);
  const code = /code is (\d{6})/.exec(mail?.body.text ?? '')?.[1] ?? '';
  const asWeb = { ...auth, 'x-latchkey-device': web.body.credential as string };
  await call(stack, 'POST', `/v1/devices/${web.body.device.id}/verify`, asWeb, { code });
  const phone = await call(stack, 'POST', '/v1/devices', auth, { clientType: 'mobile', os: 'iOS' });
  await call(stack, 'POST', `/v1/devices/${phone.body.device.id}/approve`, asWeb, {
    number: phone.body.device.numberToMatch,
  });
  return { asWeb, asPhone: { ...auth, 'x-latchkey-device': phone.body.credential as string } };
}

export async function timed(
  stack: LocalStack,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
  expected: number,
) {
  const started = performance.now();
  const response = await call(stack, method, path, headers, body);
  const elapsed = performance.now() - started;
  if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}`);
  return elapsed;
}

/**
 * Added latency of the identity-confirmation check: `POST /v1/workspace/scim-token` retried with an
 * approved challenge (auth, device, confirmation read, one write) next to `PUT
 * /v1/workspace/identity-confirmation` (auth, device, one read, one write, no confirmation), both
 * trusted web routes of the same admin, interleaved in rounds so machine noise hits both alike.
 */
export async function benchIdentity(stack: LocalStack, requests = 1000) {
  const { asWeb, asPhone } = await ownerWithPhone(stack);
  const settings = { reuseWindowSeconds: 3600 };
  await call(stack, 'PUT', '/v1/workspace/identity-confirmation', asWeb, settings);
  const refused = await call(stack, 'POST', '/v1/workspace/scim-token', asWeb);
  const challenge = refused.body.challenge as { id: string; numberToMatch: string };
  await call(stack, 'POST', `/v1/identity-challenges/${challenge.id}/approve`, asPhone, {
    number: challenge.numberToMatch,
  });
  const confirmedHeaders = { ...asWeb, 'x-latchkey-confirmation': challenge.id };
  const confirmed = () => timed(stack, 'POST', '/v1/workspace/scim-token', confirmedHeaders, undefined, 201);
  const unconfirmed = () => timed(stack, 'PUT', '/v1/workspace/identity-confirmation', asWeb, settings, 200);
  const challenged = () => timed(stack, 'POST', '/v1/workspace/scim-token', asWeb, undefined, 403);
  for (let i = 0; i < 100; i++) {
    await confirmed();
    await unconfirmed();
  }
  const counter = await countDynamoRequests();
  const samples = { confirmed: [] as number[], unconfirmed: [] as number[] };
  const dynamo = { confirmed: 0, unconfirmed: 0 };
  for (let done = 0; done < requests; done += 100) {
    let before = counter.requests;
    for (let i = 0; i < 100; i++) samples.confirmed.push(await confirmed());
    dynamo.confirmed += counter.requests - before;
    before = counter.requests;
    for (let i = 0; i < 100; i++) samples.unconfirmed.push(await unconfirmed());
    dynamo.unconfirmed += counter.requests - before;
  }
  // The pending challenge answered again (no new challenge, no push): the refusal path's cost.
  await call(stack, 'PUT', '/v1/workspace/identity-confirmation', asWeb, settings);
  const refusal: number[] = [];
  for (let i = 0; i < 100; i++) refusal.push(await challenged());
  const c = summarize(samples.confirmed);
  const u = summarize(samples.unconfirmed);
  const r = summarize(refusal);
  const row = (route: string, ms: ReturnType<typeof summarize>, requestsPerCall: number | string) => ({
    route,
    n: ms.n,
    'p50 ms': round(ms.p50),
    'p99 ms': round(ms.p99),
    'DynamoDB requests': requestsPerCall,
  });
  return {
    rows: [
      row('POST /v1/workspace/scim-token (confirmed retry)', c, dynamo.confirmed / samples.confirmed.length),
      row(
        'PUT /v1/workspace/identity-confirmation (unconfirmed)',
        u,
        dynamo.unconfirmed / samples.unconfirmed.length,
      ),
      row('POST /v1/workspace/scim-token (403, pending challenge)', r, ''),
    ],
    addedMs: { p50: round(c.p50 - u.p50), p99: round(c.p99 - u.p99) },
    ratio: { p50: round(c.p50 / u.p50), p99: round(c.p99 / u.p99) },
  };
}
