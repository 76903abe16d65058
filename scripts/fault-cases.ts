import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { twoWaySmsPayload } from '../local/messaging-simulator';
import { listSentEmails } from '../local/ses-local';
import type { LocalStack } from '../local/stack';
import { CALL_BUDGETS } from '../shared/adapters/aws/call-budget';
import { redriveOutboxItem } from '../shared/adapters/dynamodb/outbox';
import { stackClient, stackDocumentClient } from './stack-client';

/**
 * The fault cases of `npm run faults`, each a function over a booted local stack returning what it
 * saw and the problems it found (an empty list is a pass). The e2e tier runs each with a small size.
 */
export interface FaultResult {
  case: string;
  problems: string[];
  figures: Record<string, number | string>;
}

const PUSH_QUEUE = 'latchkey-local-push';
const SMS_QUEUE = 'latchkey-local-inbound-sms';
const MAIL_QUEUE = 'latchkey-local-inbound-mail';
const ROTATION_QUEUE = 'latchkey-local-rotation';
/** A refused request must answer within the request budget's deadline plus scheduling slack. */
const FAIL_FAST_MS = CALL_BUDGETS.request.totalTimeoutMs + 2_000;

const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

/**
 * DynamoDB Local stopped mid-run and restarted on the same files (`-dbPath`): every request during
 * the outage answers 503 with Retry-After within the request budget, nothing is half-written (the
 * device refused during the outage does not exist, its name is free), and requests succeed again
 * after the restart.
 */
export async function databaseOutage(stack: LocalStack, requests = 6): Promise<FaultResult> {
  if (!stack.dataDir) throw new Error('the outage case needs a persisted stack (-dbPath)');
  const api = stackClient(stack);
  const problems: string[] = [];
  const email = `${unique('outage')}@acme.example`;
  const user = await api.webSession(email, await api.bootstrap(unique('ws'), email, ['acme.example']));
  const before = await api.call('GET', '/v1/devices', { token: user.token, device: user.credential });
  api.expectStatus(before, 200, 'devices before');

  await stack.dynamodb.stop();
  const answers = [];
  for (let i = 0; i < requests; i++) {
    const response =
      i % 2 === 0
        ? await api.call('GET', '/v1/me', { token: user.token })
        : await api.call('POST', '/v1/devices', {
            token: user.token,
            body: { clientType: 'web', os: 'Linux', name: 'During the outage' },
          });
    answers.push(response);
    if (response.status !== 503) problems.push(`request ${i} answered ${response.status}, not 503`);
    if (!response.headers.get('retry-after')) problems.push(`request ${i} carries no Retry-After`);
    if (response.ms > FAIL_FAST_MS) problems.push(`request ${i} took ${Math.round(response.ms)} ms`);
  }

  const restarted = await startDynamoDbLocal({
    port: Number(new URL(stack.dynamodbEndpoint).port),
    dbPath: join(stack.dataDir, 'dynamodb'),
  });
  try {
    const started = performance.now();
    let me = await api.call('GET', '/v1/me', { token: user.token });
    while (me.status !== 200 && performance.now() - started < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      me = await api.call('GET', '/v1/me', { token: user.token });
    }
    if (me.status !== 200) problems.push(`after the restart /v1/me answers ${me.status}`);
    const after = await api.call('GET', '/v1/devices', { token: user.token, device: user.credential });
    if (after.body?.items?.length !== before.body?.items?.length) {
      problems.push('a device refused during the outage exists after the restart (half-written)');
    }
    const again = await api.call('POST', '/v1/devices', {
      token: user.token,
      body: { clientType: 'web', os: 'Linux', name: 'During the outage' },
    });
    if (again.status !== 201)
      problems.push(`the name claimed during the outage is not free: ${again.status}`);
    return {
      case: 'DynamoDB Local stopped and restarted (-dbPath)',
      problems,
      figures: {
        'requests during the outage': answers.length,
        '503 answers': answers.filter((a) => a.status === 503).length,
        'slowest refusal ms': Math.round(Math.max(...answers.map((a) => a.ms))),
        'recovered after ms': Math.round(performance.now() - started),
      },
    };
  } finally {
    // The restarted process belongs to this case; the stack's own stop() only knew the first one.
    await restarted.stop();
  }
}

/**
 * SNS failing: the request that causes a push still succeeds; the push is retried until SNS answers
 * (sent exactly once), and with SNS failing for longer than the queue's receives it lands in the
 * push queue's dead-letter queue, never silently dropped.
 */
export async function pushFailing(stack: LocalStack, failures = 2): Promise<FaultResult> {
  const api = stackClient(stack);
  const problems: string[] = [];
  const email = `${unique('sns')}@acme.example`;
  const workspace = await api.bootstrap(unique('ws'), email, ['acme.example']);
  const user = await api.userWithPhone(email, workspace);
  await stack.push.drain();
  const pushesFor = (deviceId: string) =>
    stack.push.outbox.filter(
      (push) => push.data.deviceId === deviceId && push.type === 'trusted_device_request',
    );

  stack.push.failNextPublishes(failures);
  const retried = await api.call('POST', '/v1/devices', {
    token: user.token,
    body: { clientType: 'web', os: 'Linux' },
  });
  await stack.push.drain();
  if (retried.status !== 201) problems.push(`the request answered ${retried.status} while SNS failed`);
  else if (pushesFor(retried.body.device.id).length !== 1) {
    problems.push(`the retried push was sent ${pushesFor(retried.body.device.id).length} times, not once`);
  }

  const queue = stack.queues[PUSH_QUEUE];
  const deadBefore = queue?.snapshot().deadLetters.length ?? 0;
  stack.push.failNextPublishes(1_000);
  const other = await api.webSession(`${unique('sns2')}@acme.example`, workspace);
  const dead = await api.call('POST', '/v1/devices', {
    token: user.token,
    body: { clientType: 'web', os: 'macOS' },
  });
  await stack.push.drain();
  stack.push.failNextPublishes(0);
  const deadAfter = queue?.snapshot().deadLetters.length ?? 0;
  if (dead.status !== 201) problems.push(`the request answered ${dead.status} while SNS was down`);
  if (deadAfter <= deadBefore) problems.push('the push that never went out is not in the dead-letter queue');
  return {
    case: 'SNS publishes failing',
    problems,
    figures: {
      'transient failures': failures,
      'pushes sent after retries': retried.status === 201 ? pushesFor(retried.body.device.id).length : 0,
      'dead-lettered push jobs': deadAfter - deadBefore,
      'other user unaffected': other.verified ? 'yes' : 'no',
    },
  };
}

/**
 * SES failing, on the email path that already runs behind a queue: the owners' email about a failed
 * password rotation (sent by the rotation worker, off the rotation queue). The rotation the client
 * asked for still runs to its end (`failed` after the demo app refused every change, the working
 * password kept); the email is retried with the rotation job and sent once SES answers again; with
 * SES down for longer than the queue's receives the job lands in the rotation DLQ, still owing the
 * email, and a redrive from there sends it. Never silently dropped.
 */
export async function mailFailing(stack: LocalStack): Promise<FaultResult> {
  const api = stackClient(stack);
  const problems: string[] = [];
  const email = `${unique('ses')}@acme.example`;
  const owner = await api.userWithPhone(email, await api.bootstrap(unique('ws'), email, ['acme.example']));
  const auth = { token: owner.token, device: owner.credential };
  const since = Math.floor(Date.now() / 1000) - 1;
  const failureMails = async (rotationId: string) =>
    (await listSentEmails(stack.sesUrl)).filter(
      (mail) =>
        mail.destination.to.includes(email) && mail.at >= since && mail.body.text?.includes(rotationId),
    ).length;
  const rotation = async (accountId: string, rotationId: string) =>
    (await api.call('GET', `/v1/accounts/${accountId}/rotations/${rotationId}`, auth)).body?.rotation;
  async function failingRotation() {
    const username = unique('ses-user');
    await api.call('POST', '/_local/apps/demo/users', {
      body: { username, password: `Initial-${randomUUID()}` },
    });
    const account = await api.call('POST', '/v1/accounts', {
      ...auth,
      body: { appName: 'Demo', appId: 'demo', username, password: `Initial-${randomUUID()}` },
    });
    const started = await api.call('POST', `/v1/accounts/${account.body.account.id}/rotations`, auth);
    if (started.status !== 202)
      problems.push(`starting a rotation answered ${started.status} while SES failed`);
    return { accountId: account.body.account.id as string, rotationId: started.body.rotation.id as string };
  }
  const queue = stack.queues[ROTATION_QUEUE];
  if (!queue) throw new Error(`no local queue ${ROTATION_QUEUE}`);

  await api.call('POST', '/_local/apps/demo/faults', { body: { mode: 'fail_always' } });
  await stack.ses.pause();
  let retried: { accountId: string; rotationId: string } | undefined;
  let dead: { accountId: string; rotationId: string } | undefined;
  let retriedStatus: string | undefined;
  let deadStatus: string | undefined;
  let deadLettered = 0;
  let afterRedrive = 0;
  try {
    // Retried: SES comes back while the rotation job is still being retried.
    retried = await failingRotation();
    const deadline = Date.now() + 30_000;
    while ((await rotation(retried.accountId, retried.rotationId))?.status !== 'failed') {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Long enough for the worker to have tried the email against the stopped SES and failed (two of
    // the local queue's 1 s visibility timeouts), short of the queue's receive budget.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await stack.ses.resume();
    await stack.push.drain();
    retriedStatus = (await rotation(retried.accountId, retried.rotationId))?.status;

    // Dead-lettered: SES stays down through every receive; a redrive once it is back sends the email.
    await stack.ses.pause();
    dead = await failingRotation();
    await stack.push.drain();
    deadStatus = (await rotation(dead.accountId, dead.rotationId))?.status;
    const parked = queue
      .snapshot()
      .deadLetters.filter((m) => JSON.stringify(m.body).includes(dead?.rotationId ?? '-'));
    deadLettered = parked.length;
    await stack.ses.resume();
    await queue.queue.enqueue(parked.map((m) => m.body));
    await stack.push.drain();
    afterRedrive = await failureMails(dead.rotationId);
  } finally {
    await stack.ses.resume();
    await api.call('POST', '/_local/apps/demo/faults', { body: { mode: 'none' } });
  }
  const retriedMails = await failureMails(retried.rotationId);
  if (retriedStatus !== 'failed') problems.push(`the first rotation ended ${retriedStatus}, not failed`);
  if (deadStatus !== 'failed') problems.push(`the second rotation ended ${deadStatus}, not failed`);
  if (retriedMails !== 1) problems.push(`the retried failure email was sent ${retriedMails} times, not once`);
  if (deadLettered !== 1)
    problems.push(`the job owing the email is ${deadLettered ? 'duplicated' : 'not'} in the DLQ`);
  if (afterRedrive !== 1)
    problems.push(`after a redrive the failure email was sent ${afterRedrive} times, not once`);
  return {
    case: 'SES sends failing (rotation failure email)',
    problems,
    figures: {
      'rotations failed as asked': [retriedStatus, deadStatus].filter((status) => status === 'failed').length,
      'emails sent after SES came back': retriedMails,
      'jobs dead-lettered owing the email': deadLettered,
      'emails sent after a redrive': afterRedrive,
    },
  };
}

/**
 * SES failing, on the emails request paths record as `email.send` outbox events (device codes, magic
 * links, notices): here a device registration's emailed code. The registration answers 201 while SES
 * refuses connections (the device and its code are stored); the outbox relay's send fails and the
 * stream retries the record. SES back while retries remain: the email is sent once and its code
 * verifies the device. SES down through every retry: each record goes to the relay's dead letters
 * (nothing sent, nothing dropped; the shard moves on to the next record), and a redrive
 * (`redriveOutboxItem`, what the runbook does with the DLQ message) sends it once; a second redrive
 * sends nothing more. `emails` registrations in each part.
 */
export async function outboxMailFailing(stack: LocalStack, emails = 1): Promise<FaultResult> {
  const api = stackClient(stack);
  const doc = stackDocumentClient(stack);
  const problems: string[] = [];
  const ownerEmail = `${unique('ses-owner')}@acme.example`;
  const workspace = await api.bootstrap(unique('ws'), ownerEmail, ['acme.example']);
  await api.webSession(ownerEmail, workspace);
  const mailsTo = async (email: string) =>
    (await stack.sentEmails()).filter((mail) => mail.destination.to.includes(email)).length;
  /** A new user registers a web device: the answer is 201 with an emailed code owed. */
  async function registerWhileSesDown(label: string) {
    const email = `${unique(label)}@acme.example`;
    const token = await api.token(email, workspace);
    const registered = await api.call('POST', '/v1/devices', {
      token,
      body: { clientType: 'web', os: 'Linux', browser: 'Firefox' },
    });
    if (registered.status !== 201 || registered.body?.verification?.method !== 'email_code') {
      problems.push(
        `${label}: registering answered ${registered.status} ${registered.body?.verification?.method ?? ''} while SES was down`,
      );
    }
    return {
      email,
      token,
      status: registered.status,
      credential: registered.body?.credential,
      deviceId: registered.body?.device?.id,
    };
  }
  async function verifies(user: Awaited<ReturnType<typeof registerWhileSesDown>>) {
    try {
      const verified = await api.call('POST', `/v1/devices/${user.deviceId}/verify`, {
        token: user.token,
        device: user.credential,
        body: { code: await api.emailedCode(user.email) },
      });
      return verified.status === 200;
    } catch {
      return false;
    }
  }
  const relay = () => stack.outboxRelay.snapshot();

  /** Emails each user received; anything but exactly one is a problem. */
  async function exactlyOnce(users: Array<{ email: string }>, when: string) {
    let total = 0;
    for (const user of users) {
      const got = await mailsTo(user.email);
      total += got;
      if (got !== 1) problems.push(`${when}: ${user.email} got ${got} code emails, not 1`);
    }
    return total;
  }
  async function allVerify(users: Array<Awaited<ReturnType<typeof registerWhileSesDown>>>, when: string) {
    let verified = 0;
    for (const user of users) {
      if (await verifies(user)) verified++;
      else problems.push(`${when}: the code emailed to ${user.email} did not verify the device`);
    }
    // The verifications' own notices ("a device was trusted") go out before SES is paused again.
    await stack.push.drain();
    return verified;
  }

  const figures = {
    'registrations answered 201 while SES was down': 0,
    'relay sends failed before SES came back': 0,
    'emails sent after SES came back': 0,
    'records dead-lettered by the relay': 0,
    'emails sent before a redrive': 0,
    'emails sent after a redrive': 0,
    'emails after a second redrive': 0,
    'devices verified with the delayed codes': 0,
  };
  await stack.push.drain();
  try {
    // Retried: SES comes back after the relay's first failed send, while retries remain.
    const failedBefore = relay().failedAttempts;
    const deadBefore = relay().deadLetters.length;
    await stack.ses.pause();
    const retried = [];
    for (let i = 0; i < emails; i++) retried.push(await registerWhileSesDown('ses-retried'));
    const deadline = Date.now() + 30_000;
    while (relay().failedAttempts === failedBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    figures['relay sends failed before SES came back'] = relay().failedAttempts - failedBefore;
    await stack.ses.resume();
    figures['emails sent after SES came back'] = await exactlyOnce(retried, 'retried');
    figures['devices verified with the delayed codes'] += await allVerify(retried, 'retried');
    if (figures['relay sends failed before SES came back'] < 1)
      problems.push('the relay never failed a send while SES was paused');
    if (relay().deadLetters.length !== deadBefore)
      problems.push('a send retried while SES came back was dead-lettered');

    // Dead-lettered: SES stays down through every retry; a redrive once it is back sends each once.
    await stack.ses.pause();
    const dead = [];
    for (let i = 0; i < emails; i++) dead.push(await registerWhileSesDown('ses-dead'));
    await stack.push.drain();
    const parked = relay().deadLetters.slice(deadBefore);
    figures['records dead-lettered by the relay'] = parked.length;
    if (parked.length !== emails)
      problems.push(`${parked.length} relay dead letters for the ${emails} emails SES never took`);
    await stack.ses.resume();
    // Back up, before any redrive: the relay moved past the dead records and sent nothing for them.
    for (const user of dead) figures['emails sent before a redrive'] += await mailsTo(user.email);
    if (figures['emails sent before a redrive'] !== 0)
      problems.push('a dead-lettered email was sent before any redrive');
    const redrive = async () => {
      for (const letter of parked) {
        const key = unmarshall(letter.keys as Parameters<typeof unmarshall>[0]);
        if (!(await redriveOutboxItem(doc, stack.tableName, key)))
          problems.push(`dead letter ${letter.sequenceNumber}: no outbox item to redrive`);
      }
    };
    await redrive();
    figures['emails sent after a redrive'] = await exactlyOnce(dead, 'after a redrive');
    await redrive();
    figures['emails after a second redrive'] = await exactlyOnce(dead, 'after a second redrive');
    figures['devices verified with the delayed codes'] += await allVerify(dead, 'redriven');
    figures['registrations answered 201 while SES was down'] = [...retried, ...dead].filter(
      (user) => user.status === 201,
    ).length;
  } finally {
    await stack.ses.resume();
  }
  return { case: `SES sends failing (outboxed emails: device codes, ${emails} per part)`, problems, figures };
}

/**
 * A poison message in each queue: it reaches that queue's dead-letter queue, and the good messages
 * sent in the same batch are processed (an inbound SMS and email stored, a push job delivered).
 */
export async function poisonMessages(stack: LocalStack, good = 3): Promise<FaultResult> {
  const api = stackClient(stack);
  const problems: string[] = [];
  const email = `${unique('poison')}@acme.example`;
  const owner = await api.userWithPhone(email, await api.bootstrap(unique('ws'), email, ['acme.example']));
  const account = await api.sharedAccount(owner);
  const poison = { hello: 'I am not what this queue carries', id: randomUUID() };
  const smsIds = Array.from({ length: good }, () => randomUUID());
  const mailIds = Array.from({ length: good }, () => `<${randomUUID()}@mail.example>`);
  const queue = (name: string) => {
    const found = stack.queues[name];
    if (!found) throw new Error(`no local queue ${name}`);
    return found;
  };
  const dead = (name: string) =>
    queue(name)
      .snapshot()
      .deadLetters.filter((message) => JSON.stringify(message.body).includes(poison.id)).length;

  await queue(SMS_QUEUE).queue.enqueue([
    poison,
    ...smsIds.map((inboundMessageId) =>
      twoWaySmsPayload({
        from: '+12025550123',
        to: account.phoneNumber,
        body: 'Your code is 123456.',
        inboundMessageId,
      }),
    ),
  ]);
  await queue(MAIL_QUEUE).queue.enqueue([
    poison,
    ...mailIds.map((naturalId) => ({
      channel: 'email',
      naturalId,
      from: 'no-reply@ads.example.com',
      to: account.emailAddress,
      subject: 'Your code',
      text: 'Your code is 654321.',
      receivedAt: new Date().toISOString(),
    })),
  ]);
  await queue(PUSH_QUEUE).queue.enqueue([
    poison,
    {
      kind: 'delete_endpoints',
      userId: owner.userId,
      endpointArns: ['arn:aws:sns:us-east-1:0:endpoint/APNS/x/gone'],
    },
  ]);
  await stack.push.drain();

  for (const name of [SMS_QUEUE, MAIL_QUEUE, PUSH_QUEUE]) {
    if (dead(name) !== 1)
      problems.push(`${name}: the poison message is ${dead(name) ? 'duplicated' : 'not'} in its DLQ`);
    const left = queue(name).snapshot();
    if (left.available + left.inFlight > 0) problems.push(`${name}: messages left undelivered`);
  }
  const inbox = await api.call('GET', `/v1/accounts/${account.id}/inbox?limit=50`, {
    token: owner.token,
    device: owner.credential,
  });
  const channels = (inbox.body?.items ?? []).map((item: { channel: string }) => item.channel);
  const sms = channels.filter((c: string) => c === 'sms').length;
  const mail = channels.filter((c: string) => c === 'email').length;
  if (sms !== good) problems.push(`${sms} of ${good} good SMS stored`);
  if (mail !== good) problems.push(`${mail} of ${good} good emails stored`);
  return {
    case: 'A poison message in each queue',
    problems,
    figures: {
      'good SMS stored': sms,
      'good emails stored': mail,
      'poison messages dead-lettered': [SMS_QUEUE, MAIL_QUEUE, PUSH_QUEUE]
        .map(dead)
        .reduce((a, b) => a + b, 0),
    },
  };
}

/** A local stack whose DynamoDB Local keeps its files (`-dbPath`) in a fresh temporary directory. */
export async function bootPersistedStack(): Promise<{ stack: LocalStack; remove(): Promise<void> }> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { freePort } = await import('../local/ports');
  const { startLocalStack } = await import('../local/stack');
  const dataDir = await mkdtemp(join(tmpdir(), 'latchkey-faults-'));
  const stack = await startLocalStack({
    apiPort: await freePort(),
    sesPort: await freePort(),
    dynamodbPort: await freePort(),
    dataDir,
    inMemory: false,
    quiet: true,
    env: { POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  });
  return {
    stack,
    remove: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
