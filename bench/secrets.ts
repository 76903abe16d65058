import { randomUUID } from 'node:crypto';
import type { LocalStack } from '../local/stack';
import { call, ownerWithPhone, timed } from './identity';
import { countDynamoRequests } from './local-stack';
import { round, summarize } from './stats';

type Headers = Record<string, string>;

/** Counts the S3 requests the request-path handlers send (every S3 adapter of a route shares this client). */
async function countS3Requests() {
  const { s3Client } = await import('../shared/runtime/aws-clients');
  const counted = { requests: 0 };
  s3Client('request').middlewareStack.add(
    (next) => async (args) => {
      counted.requests++;
      return next(args);
    },
    { step: 'initialize', name: 'benchS3Counter' },
  );
  return counted;
}

/** A confirmed call: the 403's challenge approved from the phone, then the retry. */
async function confirmed(
  stack: LocalStack,
  web: Headers,
  phone: Headers,
  method: string,
  path: string,
  body?: unknown,
) {
  const refused = await call(stack, method, path, web, body);
  const challenge = refused.body.challenge as { id: string; numberToMatch: string };
  await call(stack, 'POST', `/v1/identity-challenges/${challenge.id}/approve`, phone, {
    number: challenge.numberToMatch,
  });
  return call(stack, method, path, { ...web, 'x-latchkey-confirmation': challenge.id }, body);
}

/**
 * Secret view (`GET /v1/secrets/{id}`: auth, device, secret, grants, one KMS-equivalent decrypt) next to
 * the metadata list of its vault, interleaved in rounds; then 100 concurrent opens of one one-time link.
 */
export async function benchSecrets(stack: LocalStack, requests = 500) {
  const { asWeb, asPhone } = await ownerWithPhone(stack);
  const vault = await confirmed(stack, asWeb, asPhone, 'POST', '/v1/vaults', { name: 'Bench' });
  const vaultId = vault.body.vault.id as string;
  const secret = await call(stack, 'POST', `/v1/vaults/${vaultId}/secrets`, asWeb, {
    name: 'Bench key',
    items: [
      { type: 'api_key', name: 'key', value: randomUUID() },
      { type: 'login', name: 'password', value: randomUUID() },
    ],
  });
  const secretId = secret.body.secret.id as string;
  const view = () => timed(stack, 'GET', `/v1/secrets/${secretId}`, asWeb, undefined, 200);
  const list = () => timed(stack, 'GET', `/v1/vaults/${vaultId}/secrets`, asWeb, undefined, 200);
  for (let i = 0; i < 50; i++) {
    await view();
    await list();
  }
  const counter = await countDynamoRequests();
  const s3Counter = await countS3Requests();
  const samples = { view: [] as number[], list: [] as number[] };
  const dynamo = { view: 0, list: 0 };
  const s3 = { view: 0, list: 0 };
  for (let done = 0; done < requests; done += 100) {
    let before = counter.requests;
    let s3Before = s3Counter.requests;
    for (let i = 0; i < 100; i++) samples.view.push(await view());
    dynamo.view += counter.requests - before;
    s3.view += s3Counter.requests - s3Before;
    before = counter.requests;
    s3Before = s3Counter.requests;
    for (let i = 0; i < 100; i++) samples.list.push(await list());
    dynamo.list += counter.requests - before;
    s3.list += s3Counter.requests - s3Before;
  }
  // The S3 counter counts: a download of an attachment not uploaded yet is one HeadObject (then 409).
  const attachment = await confirmed(stack, asWeb, asPhone, 'POST', `/v1/secrets/${secretId}/attachments`, {
    name: 'probe.txt',
    contentType: 'text/plain',
    size: 3,
  });
  const s3BeforeProbe = s3Counter.requests;
  const probe = await call(
    stack,
    'GET',
    `/v1/secrets/${secretId}/attachments/${attachment.body.attachment.id}`,
    asWeb,
  );
  if (probe.status !== 409 || s3Counter.requests - s3BeforeProbe !== 1)
    throw new Error(`the S3 counter saw ${s3Counter.requests - s3BeforeProbe} requests for one HeadObject`);
  const v = summarize(samples.view);
  const l = summarize(samples.list);
  const row = (route: string, ms: ReturnType<typeof summarize>, perCall: number, s3PerCall: number) => ({
    route,
    n: ms.n,
    'p50 ms': round(ms.p50),
    'p99 ms': round(ms.p99),
    'DynamoDB requests': perCall,
    'S3 requests': s3PerCall,
  });

  // 100 concurrent opens of a one-time link with the right code: exactly one may succeed.
  const account = await call(stack, 'POST', '/v1/accounts', asWeb, {
    appName: 'Bench app',
    username: 'bench@acme.example',
    password: randomUUID(),
  });
  const recipient = `bench-${randomUUID().slice(0, 8)}@partner.example`;
  const link = await confirmed(stack, asWeb, asPhone, 'POST', '/v1/share-links', {
    resource: { type: 'account', id: account.body.account.id },
    recipientEmail: recipient,
    expiresInSeconds: 600,
    oneTime: true,
  });
  const linkId = link.body.link.id as string;
  await call(stack, 'POST', `/v1/public/share-links/${linkId}/verification`, {});
  const mail = (await stack.sentEmails()).filter((m) => m.destination.to.includes(recipient)).at(-1);
  const code = /code is (\d{6})/.exec(mail?.body.text ?? '')?.[1] ?? '';
  const started = performance.now();
  const opens = await Promise.all(
    Array.from({ length: 100 }, () =>
      call(stack, 'POST', `/v1/public/share-links/${linkId}/open`, {}, { code }),
    ),
  );
  const elapsed = performance.now() - started;
  const statuses: Record<string, number> = {};
  for (const open of opens) statuses[open.status] = (statuses[open.status] ?? 0) + 1;
  if (statuses['200'] !== 1) throw new Error(`one-time link opened ${statuses['200'] ?? 0} times`);

  return {
    rows: [
      row(
        'GET /v1/secrets/{id} (values, no confirmation)',
        v,
        dynamo.view / samples.view.length,
        s3.view / samples.view.length,
      ),
      row(
        'GET /v1/vaults/{id}/secrets (metadata)',
        l,
        dynamo.list / samples.list.length,
        s3.list / samples.list.length,
      ),
    ],
    viewOverList: { p50: round(v.p50 / l.p50), p99: round(v.p99 / l.p99) },
    oneTimeOpens: { concurrent: 100, statuses, wallMs: round(elapsed) },
  };
}
