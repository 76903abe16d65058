import './quiet-env';
import { randomUUID, webcrypto } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { compactDecrypt } from 'jose';
import { summarize } from '../bench/stats';
import { bootInMemoryStack } from '../local/boot';
import { LOCAL_AWS } from '../local/dynamodb-local';
import type { LocalStack } from '../local/stack';
import { inboxKeys } from '../shared/adapters/dynamodb/inbox-repository';
import { queryPrefix } from '../shared/adapters/dynamodb/operations';
import {
  checkInboundMessages,
  checkIssuedCodes,
  checkLoginGrants,
  GRANT_FAULTS,
  type GrantFault,
  type IssuedCode,
  type IssuedGrant,
  injectFault,
  injectGrantFault,
} from './load-consistency';
import { stackClient } from './stack-client';

/**
 * `npm run load`: a bounded, realistic mix against the local stack on loopback (an in-memory stack on
 * free ports, in this process): device onboarding by emailed code, inbox reads, inbound SMS (with
 * replays of accepted ones), identity challenges approved by push, and login grants (a browser
 * extension's whole login: the grant opened with its device key, the app's SMS code received through
 * the grant's code poll, the result reported). Prints throughput, p50/p99 and errors per operation,
 * then checks that every accepted inbound message is stored exactly once (and announced once per
 * member), that every issued code was consumed or will expire within its lifetime, and that every
 * login grant was stored and counted once, dies on time, holds no secret, got at most one code (its
 * own) and put its (user, account) in universal logout's grant ledger. Exit 1 on any problem; not part
 * of npm test.
 *
 * LOAD_SECONDS (default 20), LOAD_WORKERS (default 8); LOAD_INJECT=duplicate|lost damages the table
 * before the check (a second copy of one message, or one message deleted), and LOAD_INJECT=
 * grant-unledgered|grant-long-lived|grant-code-twice damages the grants' records (see
 * `injectGrantFault`): the run must then exit 1.
 */

const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const WORKERS = Number(process.env.LOAD_WORKERS ?? 8);
const CHALLENGE_LIFETIME_MS = 2 * 60 * 1000;
/** Grants go to 3 accounts shared with 6 extension users: 18 (user, account) pairs, one login each at a time. */
const GRANT_ACCOUNTS = 3;
const GRANT_USERS = 6;

type Op = 'onboarding' | 'inbox read' | 'inbound sms' | 'sms replay' | 'identity challenge' | 'login grant';
const WEIGHTS: Array<[Op, number]> = [
  ['onboarding', 2],
  ['inbox read', 4],
  ['inbound sms', 3],
  ['sms replay', 1],
  ['identity challenge', 1],
  ['login grant', 2],
];

const stack: LocalStack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'CRITICAL' } });
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ ...LOCAL_AWS, endpoint: stack.dynamodbEndpoint }),
);

const { call, expectStatus, webSession, userWithPhone, sharedAccount, bootstrap } = stackClient(stack);

const issuedCodes: IssuedCode[] = [];

/** Register a web device and, unless `leavePending`, verify it with the emailed code. */
async function onboard(
  email: string,
  workspace: string | undefined,
  leavePending: boolean,
  registration?: Record<string, unknown>,
) {
  const issuedAt = Date.now();
  const session = await webSession(email, workspace, leavePending, registration);
  issuedCodes.push({
    userId: session.userId,
    deviceId: session.deviceId,
    issuedAt,
    verified: session.verified,
  });
  return session;
}

async function owner(name: string) {
  // No sign-in creates a workspace: each owner's is bootstrapped, open to load.example's users.
  const email = `${name}-${randomUUID().slice(0, 6)}@load.example`;
  const workspace = await bootstrap(`load-${name}-${randomUUID().slice(0, 6)}`, email, ['load.example']);
  return { ...(await userWithPhone(email, workspace)), workspace };
}

console.log(
  `Setting up: 4 owners with a trusted phone, one shared account with a managed number, 3 members; ` +
    `${GRANT_ACCOUNTS} accounts shared with ${GRANT_USERS} browser-extension users for login grants...`,
);
const owners: Array<Awaited<ReturnType<typeof owner>>> = [];
for (let i = 0; i < 4; i++) owners.push(await owner(`owner${i}`));
const main = owners[0] as (typeof owners)[number];
const collaborators = [];
for (let i = 0; i < 2; i++) {
  collaborators.push(
    await onboard(`collab${i}-${randomUUID().slice(0, 6)}@load.example`, main.workspace, false),
  );
}
const account = await sharedAccount(
  main,
  collaborators.map((c) => c.userId),
);
const accountId = account.id;
const phoneNumber = account.phoneNumber;
const members = [main.userId, ...collaborators.map((c) => c.userId)];

/** An extension user: a trusted device registered with a P-256 key whose private half stays here. */
async function extensionUser(index: number) {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  const publicKey = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const session = await onboard(
    `ext${index}-${randomUUID().slice(0, 6)}@load.example`,
    main.workspace,
    false,
    {
      clientType: 'extension',
      os: 'macOS',
      browser: 'Chrome',
      publicKey,
    },
  );
  return { ...session, privateKey: pair.privateKey };
}
const extensionUsers: Array<Awaited<ReturnType<typeof extensionUser>>> = [];
for (let i = 0; i < GRANT_USERS; i++) extensionUsers.push(await extensionUser(i));
const grantAccounts: Array<Awaited<ReturnType<typeof sharedAccount>> & { accepted: string[] }> = [];
for (let i = 0; i < GRANT_ACCOUNTS; i++) {
  const shared = await sharedAccount(
    main,
    extensionUsers.map((user) => user.userId),
  );
  grantAccounts.push({ ...shared, accepted: [] });
}
/** What `sharedAccount` stores: each grant's payload must carry exactly these. */
const GRANT_CREDENTIALS = { username: 'ads@load.example', password: 'p@ss-Word-42' };
const grantPairs = extensionUsers.flatMap((user) => grantAccounts.map((shared) => ({ user, shared })));
const issuedGrants: IssuedGrant[] = [];
let grantSenders = 0;

async function openJwe(jwe: string, privateKey: webcrypto.CryptoKey) {
  const { plaintext } = await compactDecrypt(jwe, privateKey as Parameters<typeof compactDecrypt>[1]);
  // biome-ignore lint/suspicious/noExplicitAny: the payload's fields are compared one by one
  return JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, any>;
}

const accepted: string[] = [];
const challenges: Array<{
  id: string;
  createdAt: number;
  consumed: boolean;
  owner: (typeof owners)[number];
}> = [];
let onboardings = 0;
let replays = 0;
const busy = new Set<string>();

const ops: Record<Op, () => Promise<'ok' | 'limited'>> = {
  onboarding: async () => {
    // One in five is left unverified: its code must still be dead within the code lifetime.
    await onboard(
      `new${onboardings}-${randomUUID().slice(0, 6)}@load.example`,
      // Into an owner's workspace, open to load.example users (no sign-in creates a workspace).
      owners[onboardings % owners.length]?.workspace,
      onboardings++ % 5 === 4,
    );
    return 'ok';
  },
  'inbox read': async () => {
    expectStatus(
      await call('GET', '/v1/inbox?limit=20', { token: main.token, device: main.credential }),
      200,
      'inbox',
    );
    return 'ok';
  },
  'inbound sms': async () => {
    const inboundMessageId = randomUUID();
    const code = String(100000 + Math.floor(Math.random() * 900000));
    const sent = await call('POST', '/_local/inbound/sms', {
      body: {
        from: '+12025550123',
        to: phoneNumber,
        body: `Your Load Ads code is ${code}.`,
        inboundMessageId,
      },
    });
    expectStatus(sent, 202, 'inbound sms');
    accepted.push(inboundMessageId);
    return 'ok';
  },
  'sms replay': async () => {
    const again = accepted[Math.floor(Math.random() * accepted.length)];
    if (!again) return 'limited';
    const sent = await call('POST', '/_local/inbound/sms', {
      body: {
        from: '+12025550123',
        to: phoneNumber,
        body: 'Your Load Ads code is 000000.',
        inboundMessageId: again,
      },
    });
    expectStatus(sent, 202, 'sms replay');
    replays++;
    return 'ok';
  },
  'identity challenge': async () => {
    // One challenge per owner at a time: a second request for the same action gets the same challenge.
    const who = owners.find((candidate) => !busy.has(candidate.userId));
    if (!who) return 'limited';
    busy.add(who.userId);
    try {
      return await challengeRound(who);
    } finally {
      busy.delete(who.userId);
    }
  },
  'login grant': async () => {
    // One login per (user, account) at a time, as one browser extension does.
    const free = grantPairs.filter((pair) => !busy.has(`${pair.user.userId}:${pair.shared.id}`));
    const pair = free[Math.floor(Math.random() * free.length)];
    if (!pair) return 'limited';
    const slot = `${pair.user.userId}:${pair.shared.id}`;
    busy.add(slot);
    try {
      return await loginRound(pair.user, pair.shared);
    } finally {
      busy.delete(slot);
    }
  },
};

/**
 * A browser extension's login: a grant, opened with the device key; the app texts a code to the
 * managed number (a sender unique to this login, so concurrent logins on the account are told apart
 * with `?from=`); the code poll hands it over sealed to the same key; the result is reported.
 */
async function loginRound(
  user: (typeof extensionUsers)[number],
  shared: (typeof grantAccounts)[number],
): Promise<'ok' | 'limited'> {
  const as = { token: user.token, device: user.credential };
  const granted = await call('POST', `/v1/accounts/${shared.id}/login-grants`, as);
  // The hourly grant caps (30 per user, 120 per account) are rules, not failures.
  if (granted.status === 429) return 'limited';
  expectStatus(granted, 201, 'login grant');
  const grant = granted.body.grant as { id: string; expiresAt: string; jwe: string };
  const issued: IssuedGrant = {
    grantId: grant.id,
    accountId: shared.id,
    userId: user.userId,
    deviceId: user.deviceId,
  };
  issuedGrants.push(issued);
  const payload = await openJwe(grant.jwe, user.privateKey);
  if (
    payload.grantId !== grant.id ||
    payload.accountId !== shared.id ||
    payload.username !== GRANT_CREDENTIALS.username ||
    payload.password !== GRANT_CREDENTIALS.password ||
    payload.expiresAt !== grant.expiresAt
  ) {
    throw new Error(`grant ${grant.id}: the sealed payload is not this grant's credentials`);
  }

  const from = `+1202556${String(grantSenders++ % 10_000).padStart(4, '0')}`;
  const code = String(100000 + Math.floor(Math.random() * 900000));
  const inboundMessageId = randomUUID();
  expectStatus(
    await call('POST', '/_local/inbound/sms', {
      body: { from, to: shared.phoneNumber, body: `Your Fault Ads code is ${code}.`, inboundMessageId },
    }),
    202,
    'grant code sms',
  );
  shared.accepted.push(inboundMessageId);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const poll = await call(
      'GET',
      `/v1/accounts/${shared.id}/login-grants/${grant.id}/code?from=${encodeURIComponent(from)}`,
      as,
    );
    expectStatus(poll, 200, 'grant code poll');
    if (poll.body.status === 'ready') {
      const sealed = await openJwe(poll.body.jwe, user.privateKey);
      if (sealed.grantId !== grant.id || sealed.code !== code || sealed.from !== from)
        throw new Error(`grant ${grant.id}: got code ${sealed.code} from ${sealed.from}, not its own`);
      issued.codeMessageId = sealed.messageId;
      break;
    }
    if (Date.now() > deadline) throw new Error(`grant ${grant.id}: its code never arrived`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expectStatus(
    await call('POST', `/v1/accounts/${shared.id}/login-results`, {
      ...as,
      body: { success: true, grantId: grant.id },
    }),
    201,
    'login result',
  );
  return 'ok';
}

async function challengeRound(who: (typeof owners)[number]): Promise<'ok' | 'limited'> {
  {
    const first = await call('POST', '/v1/workspace/scim-token', {
      token: who.token,
      device: who.credential,
    });
    // The push-fatigue cap (10 challenges per user per hour) is a rule, not a failure.
    if (first.status === 429) return 'limited';
    expectStatus(first, 403, 'challenge');
    const challenge = first.body.challenge;
    const entry = { id: challenge.id as string, createdAt: Date.now(), consumed: false, owner: who };
    challenges.push(entry);
    expectStatus(
      await call('POST', `/v1/identity-challenges/${challenge.id}/approve`, {
        token: who.token,
        device: who.phone,
        body: { number: challenge.numberToMatch },
      }),
      200,
      'approve challenge',
    );
    const retried = await call('POST', '/v1/workspace/scim-token', {
      token: who.token,
      device: who.credential,
      confirmation: challenge.id,
    });
    expectStatus(retried, 201, 'confirmed retry');
    entry.consumed = true;
    return 'ok';
  }
}

const samples = new Map<Op, number[]>(WEIGHTS.map(([op]) => [op, []]));
const errors = new Map<Op, string[]>(WEIGHTS.map(([op]) => [op, []]));
const limited = new Map<Op, number>();
const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
const pick = (): Op => {
  let roll = Math.random() * total;
  for (const [op, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return op;
  }
  return 'inbox read';
};

console.log(`Running the mix: ${WORKERS} workers for ${SECONDS} s on ${stack.apiUrl}...`);
const started = performance.now();
const until = started + SECONDS * 1000;
await Promise.all(
  Array.from({ length: WORKERS }, async () => {
    while (performance.now() < until) {
      const op = pick();
      const t0 = performance.now();
      try {
        const outcome = await ops[op]();
        if (outcome === 'limited') limited.set(op, (limited.get(op) ?? 0) + 1);
        else samples.get(op)?.push(performance.now() - t0);
      } catch (error) {
        errors.get(op)?.push((error as Error).message);
      }
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
await stack.push.drain();

const rows = WEIGHTS.map(([op]) => {
  const ms = summarize(samples.get(op) ?? []);
  return {
    operation: op,
    ok: ms.n,
    'per s': Math.round((ms.n / elapsed) * 10) / 10,
    'p50 ms': ms.n ? Math.round(ms.p50) : '',
    'p99 ms': ms.n ? Math.round(ms.p99) : '',
    errors: errors.get(op)?.length ?? 0,
    'skipped (rate limit, nothing to replay)': limited.get(op) ?? 0,
  };
});
console.table(rows);
const done = rows.reduce((sum, row) => sum + row.ok, 0);
console.log(
  `throughput: ${Math.round((done / elapsed) * 10) / 10} operations/s over ${Math.round(elapsed)} s`,
);
for (const [op, list] of errors)
  for (const message of [...new Set(list)].slice(0, 3)) console.log(`  ${op} error: ${message}`);

// Consistency: every accepted inbound message stored once, announced once per member; every issued
// code consumed or dead within its lifetime. LOAD_INJECT damages the table first, to prove the check.
const inject = process.env.LOAD_INJECT;
if (inject === 'duplicate' || inject === 'lost') {
  console.log(`LOAD_INJECT=${inject}: ${await injectFault(doc, stack.tableName, accountId, inject)}`);
} else if (GRANT_FAULTS.includes(inject as GrantFault)) {
  const what = await injectGrantFault(doc, stack.tableName, issuedGrants, inject as GrantFault);
  console.log(`LOAD_INJECT=${inject}: ${what}`);
} else if (inject) {
  throw new Error(`LOAD_INJECT is one of duplicate, lost, ${GRANT_FAULTS.join(', ')}; not ${inject}`);
}
const grantMembers = [main.userId, ...extensionUsers.map((user) => user.userId)];
const problems = [
  ...(await checkInboundMessages(doc, stack.tableName, { accountId, accepted, members })),
  ...(
    await Promise.all(
      grantAccounts.map((shared) =>
        checkInboundMessages(doc, stack.tableName, {
          accountId: shared.id,
          accepted: shared.accepted,
          members: grantMembers,
        }),
      ),
    )
  ).flat(),
  ...(await checkIssuedCodes(doc, stack.tableName, issuedCodes)),
  ...(await checkLoginGrants(doc, stack.tableName, {
    grants: issuedGrants,
    users: extensionUsers.map((user) => user.userId),
    accounts: grantAccounts.map((shared) => shared.id),
    secrets: [GRANT_CREDENTIALS.password],
  })),
];
const unique = [...new Set(accepted)];
const storedCount = (await queryPrefix(doc, stack.tableName, `ACCOUNT#${accountId}`, inboxKeys.prefix))
  .length;
for (const challenge of challenges) {
  if (challenge.consumed) continue;
  const polled = await call('GET', `/v1/identity-challenges/${challenge.id}`, {
    token: challenge.owner.token,
    device: challenge.owner.credential,
  });
  if (polled.status !== 200) {
    problems.push(`challenge ${challenge.id}: could not be read back (${polled.status})`);
    continue;
  }
  const status = polled.body?.challenge?.status;
  const expiresAt = Date.parse(polled.body?.challenge?.expiresAt ?? '');
  if (status === 'pending' && !(expiresAt <= challenge.createdAt + CHALLENGE_LIFETIME_MS + 5000)) {
    problems.push(`challenge ${challenge.id}: pending past its lifetime`);
  }
}
console.log(
  `consistency: ${unique.length} inbound messages accepted (${replays} replays), ${storedCount} stored; ` +
    `${issuedCodes.length} codes issued (${issuedCodes.filter((i) => i.verified).length} consumed); ${challenges.length} challenges; ` +
    `${issuedGrants.length} login grants (${issuedGrants.filter((g) => g.codeMessageId).length} got their SMS code) ` +
    `on ${grantAccounts.length} accounts, ${grantAccounts.reduce((n, a) => n + a.accepted.length, 0)} code SMS accepted`,
);
await stack.stop();
if (problems.length > 0) {
  console.log(`FAILED: ${problems.length} consistency problem(s)`);
  for (const problem of problems.slice(0, 20)) console.log(`  ${problem}`);
  process.exit(1);
}
console.log(
  'OK: nothing lost, nothing duplicated, no code left alive past its lifetime, every grant stored, counted and ledgered once',
);
process.exit(0);
