import { randomUUID } from 'node:crypto';
import type { LocalStack } from '../local/stack';
import { bootstrapWorkspace, countDynamoRequests } from './local-stack';
import { round, summarize } from './stats';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * SCIM with `users` users in one workspace: `GET /Users?filter=userName eq ...` and a PATCH
 * deactivation (Okta's form) through the local gateway, latency and DynamoDB requests per call.
 * Users are seeded through the same use case POST /Users runs, in-process, 16 at a time.
 */
export async function benchScim(stack: LocalStack, users = 10_000, samples = 300) {
  const { issueScimToken } = await import('../shared/domain/identity/use-cases');
  const { httpRuntime } = await import('../shared/runtime/http');
  const { scimRuntime } = await import('../shared/runtime/scim');
  const { createUser } = await import('../shared/domain/directory/scim-use-cases');
  const name = `bench-scim-${randomUUID().slice(0, 8)}`;
  await bootstrapWorkspace(stack, name, `owner@${name}.example`);
  const issued = await fetch(`${stack.apiUrl}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `owner@${name}.example`, workspace: name }),
  }).then((r) => r.json() as Promise<{ token: string }>);
  const me = await fetch(`${stack.apiUrl}/v1/me`, {
    headers: { authorization: `Bearer ${issued.token}` },
  }).then((r) => r.json() as Promise<{ user: never }>);
  const { token } = await issueScimToken(me.user, httpRuntime().deps);
  const deps = scimRuntime();
  const context = {
    workspaceId: (me.user as { workspaceId: string }).workspaceId,
    baseUrl: `${stack.apiUrl}/scim/v2`,
  };
  const ids: string[] = [];
  const seedStarted = performance.now();
  for (let i = 0; i < users; i += 16) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(16, users - i) }, (_, j) =>
        createUser(context, { userName: `user${i + j}@${name}.example`, externalId: `ext-${i + j}` }, deps),
      ),
    );
    ids.push(...batch.map((user) => String(user.id)));
  }
  const seedSeconds = round((performance.now() - seedStarted) / 1000);

  const counter = await countDynamoRequests();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  async function measure(label: string, request: (i: number) => Promise<Response>, expected: number) {
    const times: number[] = [];
    const before = counter.requests;
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const response = await request(i);
      await response.text();
      times.push(performance.now() - started);
      if (response.status !== expected) throw new Error(`${label} answered ${response.status}`);
    }
    const ms = summarize(times);
    return {
      call: label,
      n: ms.n,
      'p50 ms': round(ms.p50),
      'p99 ms': round(ms.p99),
      'DynamoDB requests per call': round((counter.requests - before) / samples),
    };
  }
  const pick = (i: number) => (i * 7919) % users;
  const filter = await measure(
    'GET /Users?filter=userName eq',
    (i) =>
      fetch(
        `${stack.apiUrl}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "USER${pick(i)}@${name}.example"`)}`,
        { headers },
      ),
    200,
  );
  const deactivate = await measure(
    'PATCH active:false (Okta)',
    (i) =>
      fetch(`${stack.apiUrl}/scim/v2/Users/${ids[i]}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: false } }],
        }),
      }),
    200,
  );
  return { users, seedSeconds, rows: [filter, deactivate] };
}
