import { randomUUID, webcrypto } from 'node:crypto';
import type { LocalStack } from '../local/stack';
import { call, ownerWithPhone, timed } from './identity';
import { countDynamoRequests } from './local-stack';
import { round, summarize } from './stats';

/**
 * Login grants: `POST /v1/accounts/{id}/login-grants` (auth, device, account and membership reads, the
 * grant with its two hourly counters in one transaction, the password opened, the JWE sealed, the
 * network recorded) next to `GET /v1/accounts/{id}` (auth, device, the same two reads), interleaved.
 * Grants are limited to 30 per user per hour, so the samples come from `owners` users, `perOwner` each.
 */
export async function benchLoginGrants(stack: LocalStack, owners = 8, perOwner = 25) {
  const grants: number[] = [];
  const reads: number[] = [];
  const counter = await countDynamoRequests();
  const dynamo = { grant: 0, read: 0 };
  for (let o = 0; o < owners; o++) {
    const { asWeb, asPhone } = await ownerWithPhone(stack);
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
      'deriveBits',
    ])) as webcrypto.CryptoKeyPair;
    const publicKey = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
    const current = await call(stack, 'GET', '/v1/devices/current', asWeb);
    const path = `/v1/devices/${current.body.device.id}/public-key`;
    const refused = await call(stack, 'PUT', path, asWeb, { publicKey });
    const challenge = refused.body.challenge as { id: string; numberToMatch: string };
    await call(stack, 'POST', `/v1/identity-challenges/${challenge.id}/approve`, asPhone, {
      number: challenge.numberToMatch,
    });
    await call(stack, 'PUT', path, { ...asWeb, 'x-latchkey-confirmation': challenge.id }, { publicKey });
    const account = await call(stack, 'POST', '/v1/accounts', asWeb, {
      appName: 'Bench app',
      username: 'bench@acme.example',
      password: randomUUID(),
    });
    const id = account.body.account.id as string;
    // The first grant of a user sets their network baseline: not a steady-state sample.
    await timed(stack, 'POST', `/v1/accounts/${id}/login-grants`, asWeb, undefined, 201);
    for (let i = 1; i < perOwner; i++) {
      let before = counter.requests;
      grants.push(await timed(stack, 'POST', `/v1/accounts/${id}/login-grants`, asWeb, undefined, 201));
      dynamo.grant += counter.requests - before;
      before = counter.requests;
      reads.push(await timed(stack, 'GET', `/v1/accounts/${id}`, asWeb, undefined, 200));
      dynamo.read += counter.requests - before;
    }
  }
  const g = summarize(grants);
  const r = summarize(reads);
  const row = (route: string, ms: ReturnType<typeof summarize>, perCall: number) => ({
    route,
    n: ms.n,
    'p50 ms': round(ms.p50),
    'p99 ms': round(ms.p99),
    'DynamoDB requests': round(perCall),
  });
  return {
    rows: [
      row('POST /v1/accounts/{id}/login-grants', g, dynamo.grant / grants.length),
      row('GET /v1/accounts/{id}', r, dynamo.read / reads.length),
    ],
    grantOverRead: { p50: round(g.p50 / r.p50), p99: round(g.p99 / r.p99) },
  };
}
