import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import * as zod from 'zod';
import { DEFAULTS, ENV } from '../shared/config/env';
import { PUSH_FANOUT } from '../shared/config/push-fanout';
import type { RouteGroup } from '../shared/http/routes';
import type { ExternalAdapters } from '../shared/runtime/external-adapters';
import { createDemoApp } from './demo-app';
import { createDevIdp } from './dev-idp';
import { type DynamoDbLocal, ensureTable, LOCAL_AWS, startDynamoDbLocal } from './dynamodb-local';
import { createLocalEventBus } from './event-bus';
import { createGateway, type GatewayOptions, type GroupHandler } from './gateway';
import {
  composeMime,
  createBlobStore,
  createPhoneNumberSimulator,
  inboundEmailRequest,
  inboundSmsRequest,
  readJson,
  sesReceiptEvent,
  twoWaySmsPayload,
} from './messaging-simulator';
import { assertPortFree } from './ports';
import { createPushSimulator, type OutboxPush } from './push-simulator';
import { startS3Local } from './s3-local';
import { findSeedUser, SEED_WORKSPACE, seed, seedWorkspaceOf } from './seed';
import { listSentEmails, type StoredEmail, startSesLocal } from './ses-local';
import { createLocalSqsQueue, type LocalSqsQueue } from './sqs-queue';
import { type StreamRelay, startStreamRelay } from './stream-relay';

export interface LocalStackOptions {
  apiPort: number;
  sesPort: number;
  dynamodbPort: number;
  /** The local S3 server (attachments); absent: a free port. */
  s3Port?: number;
  /** Where data lives (DynamoDB files, dev IdP key). Ignored when inMemory. */
  dataDir: string;
  inMemory: boolean;
  tableName?: string;
  /** Extra environment for the handlers (e.g. a smaller body limit in tests). */
  env?: Record<string, string>;
  /** No console line per simulated push. */
  quiet?: boolean;
}

export interface LocalStack {
  apiUrl: string;
  sesUrl: string;
  /** The local S3 server (s3rver behind a front that checks presigned requests and POST policies). */
  s3Endpoint: string;
  dynamodbEndpoint: string;
  tableName: string;
  dataDir: string | undefined;
  /** The DynamoDB Local child process (tests stop it to prove an outage is a clean 500). */
  dynamodb: DynamoDbLocal;
  /** Simulated pushes, and a wait until queued push work has run. */
  push: {
    outbox: OutboxPush[];
    drain(): Promise<void>;
    disableEndpoint(arn: string): boolean;
    /** Whether the simulated SNS still has this platform endpoint (deleted ones are gone). */
    hasEndpoint(arn: string): boolean;
    /** The next `count` SNS publishes fail transiently (fault runs). */
    failNextPublishes(count: number): void;
  };
  /**
   * Every email aws-ses-v2-local received, after the outbox relay has sent what is recorded so far
   * (request paths record emails in the outbox; the relay sends them, as in AWS).
   */
  sentEmails(): Promise<StoredEmail[]>;
  /** The SES emulator's endpoint: paused, every send fails to connect (fault runs). */
  ses: { pause(): Promise<void>; resume(): Promise<void> };
  /** The local SQS queues by name (fault injection and inspection in tests). */
  queues: Record<string, LocalSqsQueue>;
  /** The outbox relay's stream consumer: records read, failed hand-overs, dead letters (fault runs). */
  outboxRelay: Pick<StreamRelay, 'snapshot'>;
  issueToken(email: string): Promise<string>;
  stop(): Promise<void>;
}

export const LOCAL_TABLE_NAME = 'latchkey-local';

const logoutTokenRequest = zod.object({
  audience: zod.url(),
  lifetimeSeconds: zod.optional(zod.number().int().min(1).max(86_400)),
  jti: zod.optional(zod.string().min(1).max(256)),
});
export const LOCAL_ATTACHMENTS_BUCKET = 'latchkey-local-attachments';
/** Local queues redeliver after 1 s instead of SQS's 30 s default, so a retry shows up at once. */
const LOCAL_VISIBILITY_MS = 1_000;

/** What `GET /_local/` lists: the routes that exist only in the local runtime. */
export const LOCAL_ROUTES = [
  { method: 'GET', path: '/_local/', what: 'this list' },
  {
    method: 'POST',
    path: '/_local/token',
    what: 'a dev IdP token for {email, name?, workspace?, lifetimeSeconds?}',
  },
  { method: 'GET', path: '/_local/.well-known/jwks.json', what: "the dev IdP's public keys" },
  {
    method: 'POST',
    path: '/_local/idp/logout-token',
    what: '{audience, lifetimeSeconds?, jti?}: a Global Token Revocation request token the dev IdP signed (Universal Logout, docs/universal-logout.md)',
  },
  { method: 'GET', path: '/_local/outbox/push', what: 'every simulated push (waits for queued work first)' },
  {
    method: 'POST',
    path: '/_local/push/disable-endpoint',
    what: '{endpointArn}: the platform disables an endpoint',
  },
  {
    method: 'GET',
    path: '/_local/queues',
    what: 'local SQS queues (available, in flight, dead letters), the stream consumers (outbox relay, attachment clean-up) and published events',
  },
  {
    method: 'POST',
    path: '/_local/queues/{name}/fail-sends',
    what: '{count}: the next sends to that queue fail (fault injection)',
  },
  {
    method: 'POST',
    path: '/_local/inbound/sms',
    what: '{from, to, body}: an inbound SMS to a managed number',
  },
  {
    method: 'POST',
    path: '/_local/inbound/email',
    what: 'an inbound email (JSON or raw message/rfc822 with ?to=&from=)',
  },
  {
    method: 'POST',
    path: '/_local/apps/demo/users',
    what: 'the demo app: {username, password} creates a user',
  },
  {
    method: 'POST',
    path: '/_local/apps/demo/login',
    what: 'the demo app: {username, password, totp?} -> 200 or 401',
  },
  {
    method: 'POST',
    path: '/_local/apps/demo/change-password',
    what: 'the demo app: {username, currentPassword, newPassword} (the demo connector drives it)',
  },
  {
    method: 'POST',
    path: '/_local/apps/demo/totp',
    what: 'the demo app: {username, password, secret, code} turns TOTP on (the demo connector drives it)',
  },
  {
    method: 'POST',
    path: '/_local/apps/demo/faults',
    what: '{mode: none | fail_once | fail_always | accept_then_timeout, hangMs?}: the next changes fail',
  },
  {
    method: 'POST',
    path: '/_local/rotations/sweep',
    what: '{now?}: runs the scheduled rotation sweep as if the clock said `now`, then waits for the work',
  },
] as const;

/** One promise for a lazily imported handler, so every call shares the same instance. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

/** The local stand-in for the KMS-derived server HMAC key: kept with the data, so hashes survive restarts. */
function localKey(dataDir: string | undefined, name: string): string {
  if (!dataDir) return randomBytes(32).toString('hex');
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/**
 * Boots the whole local stack in this process: DynamoDB Local (child process), aws-ses-v2-local, the
 * dev IdP and the gateway, with the same handlers the Lambdas run. Used by `npm start` and the e2e tests.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  await assertPortFree(options.apiPort, 'PORT', 'API gateway');
  await assertPortFree(options.sesPort, 'SES_PORT', 'SES emulator');
  await assertPortFree(options.dynamodbPort, 'DYNAMODB_PORT', 'DynamoDB Local');
  if (options.s3Port) await assertPortFree(options.s3Port, 'S3_PORT', 'local S3 server');

  const stops: Array<() => Promise<void>> = [];
  const queues: LocalSqsQueue[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const dataDir = options.inMemory ? undefined : resolve(options.dataDir);
    const tableName = options.tableName ?? LOCAL_TABLE_NAME;
    const dynamo = await startDynamoDbLocal({
      port: options.dynamodbPort,
      ...(dataDir ? { dbPath: join(dataDir, 'dynamodb') } : {}),
    });
    stops.push(dynamo.stop);
    await ensureTable(dynamo.endpoint, tableName);

    const ses = await startSesLocal(options.sesPort, dataDir ? { file: join(dataDir, 'ses-mail.json') } : {});
    stops.push(ses.stop);

    const s3 = await startS3Local({
      port: options.s3Port ?? 0,
      bucket: LOCAL_ATTACHMENTS_BUCKET,
      ...(dataDir ? { directory: join(dataDir, 's3') } : {}),
      credentials: LOCAL_AWS.credentials,
      region: LOCAL_AWS.region,
    });
    stops.push(s3.stop);

    // The handlers read their configuration from the environment at cold start, exactly as in Lambda.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      [ENV.tableName]: tableName,
      [ENV.dynamodbEndpoint]: dynamo.endpoint,
      [ENV.sesEndpoint]: `http://127.0.0.1:${options.sesPort}`,
      [ENV.s3Endpoint]: s3.endpoint,
      [ENV.attachmentsBucket]: LOCAL_ATTACHMENTS_BUCKET,
      [ENV.emailFrom]: process.env[ENV.emailFrom] ?? 'no-reply@latchkey.local',
      [ENV.workspaceClaim]: process.env[ENV.workspaceClaim] ?? DEFAULTS.workspaceClaim,
      [ENV.stage]: 'local',
      [ENV.webBaseUrl]: process.env[ENV.webBaseUrl] ?? 'http://localhost:5173',
      [ENV.localHmacKey]: localKey(dataDir, 'hmac.key'),
      // Stands in for the KMS secrets key: account passwords and TOTP seeds stay readable across restarts.
      [ENV.localSecretsKey]: localKey(dataDir, 'secrets.key'),
      [ENV.inboundEmailDomain]: process.env[ENV.inboundEmailDomain] ?? 'inbound.latchkey.local',
      // The demo app is served by this gateway; the demo connector drives it over HTTP.
      [ENV.demoAppUrl]: `http://127.0.0.1:${options.apiPort}/_local/apps/demo`,
      // The local-only SSRF allowance: webhooks and Universal Logout JWKS URLs may use this one loopback
      // origin over plain HTTP, so the demo app can answer as a customer's endpoint and the dev IdP's keys
      // can be fetched. Never set in AWS (test/infra asserts it).
      [ENV.webhookLocalOrigin]: `http://127.0.0.1:${options.apiPort}`,
      ...options.env,
    });

    // No local engine for SNS mobile push, End User Messaging, SQS or EventBridge (nor S3 for raw inbound mail): simulators take
    // their place, passed to the handlers' createHandler (the same door Lambda's handler uses). The
    // queues keep SQS semantics (visibility timeout, receive count, DLQ redrive).
    const print = options.quiet ? undefined : (line: string) => console.log(line);
    const push = createPushSimulator({ print, ...(dataDir ? { file: join(dataDir, 'push.json') } : {}) });
    const pushQueue = createLocalSqsQueue(
      once(() => import('../functions/events/push-fanout').then((module) => module.createHandler(adapters))),
      {
        name: 'latchkey-local-push',
        batchSize: PUSH_FANOUT.batchSize,
        visibilityTimeoutMs: LOCAL_VISIBILITY_MS,
        maxReceiveCount: 3,
        log: print,
      },
    );
    queues.push(pushQueue);
    // EventBridge rule -> queue -> consumer, as in AWS: `user.deprovisioned` queues rotations.
    const deprovisionedQueue = createLocalSqsQueue(
      once(() =>
        Promise.all([
          import('../functions/events/deprovisioned-rotations'),
          import('../shared/runtime/rotation-triggers'),
        ]).then(([module, runtime]) =>
          module.createDeprovisionedRotations(runtime.deprovisionedRotationsDeps()),
        ),
      ),
      {
        name: 'latchkey-local-user-deprovisioned',
        visibilityTimeoutMs: LOCAL_VISIBILITY_MS,
        maxReceiveCount: 5,
        log: print,
      },
    );
    queues.push(deprovisionedQueue);
    const bus = createLocalEventBus({ 'user.deprovisioned': deprovisionedQueue.queue });
    const phones = createPhoneNumberSimulator();
    const mailObjects = createBlobStore();
    const inboundSmsQueue = createLocalSqsQueue(
      () => import('../functions/events/inbound-sms').then((module) => module.handler),
      {
        name: 'latchkey-local-inbound-sms',
        visibilityTimeoutMs: LOCAL_VISIBILITY_MS,
        maxReceiveCount: 5,
        log: print,
      },
    );
    queues.push(inboundSmsQueue);
    const inboundQueue = createLocalSqsQueue(
      () => import('../functions/events/inbound-ingest').then((module) => module.handler),
      {
        name: 'latchkey-local-inbound-mail',
        visibilityTimeoutMs: LOCAL_VISIBILITY_MS,
        maxReceiveCount: 3,
        log: print,
      },
    );
    queues.push(inboundQueue);
    // The connector runs as its own function in AWS; here it is called in-process, through a JSON
    // round trip of the request so nothing but ids could reach it.
    const connector = once(() =>
      import('../functions/jobs/connector').then((module) =>
        import('../shared/runtime/connector').then((runtime) =>
          module.createConnector(runtime.connectorDeps()),
        ),
      ),
    );
    const rotationQueue = createLocalSqsQueue(
      once(async () => {
        const [worker, runtime] = await Promise.all([
          import('../functions/jobs/rotation-worker'),
          import('../shared/runtime/rotation'),
        ]);
        return worker.createRotationWorker(
          runtime.rotationWorkerDeps({
            run: async (request) => (await connector())(JSON.parse(JSON.stringify(request))),
          }),
        );
      }),
      {
        name: 'latchkey-local-rotation',
        visibilityTimeoutMs: LOCAL_VISIBILITY_MS,
        // More receives than the engine's attempts: the engine ends a rotation before the DLQ would.
        maxReceiveCount: 10,
        batchSize: 1,
        log: print,
      },
    );
    queues.push(rotationQueue);
    const demoApp = createDemoApp();
    stops.push(async () => demoApp.stop());
    const adapters: ExternalAdapters = {
      pushGateway: push.gateway,
      phoneNumbers: phones.phoneNumbers,
      blobStore: mailObjects.blobStore,
      inboundQueue: inboundQueue.queue as ExternalAdapters['inboundQueue'],
    };
    for (const queue of queues) stops.push(async () => queue.stop());

    // Table stream -> the same relay Lambda runs in AWS, given the local queue and bus.
    const relay = await startStreamRelay({
      endpoint: dynamo.endpoint,
      tableName,
      consumer: once(() =>
        Promise.all([
          import('../functions/events/outbox-relay'),
          import('../shared/runtime/outbox-relay'),
        ]).then(([module, runtime]) =>
          module.createOutboxRelay({
            pushQueue: pushQueue.queue,
            bus,
            rotationQueue: rotationQueue.queue,
            // The same sending as in AWS: the local keyring opens, aws-ses-v2-local receives.
            deliverMail: runtime.outboxMailDelivery(),
          }),
        ),
      ),
      ...(print ? { log: print } : {}),
    });
    stops.push(relay.stop);
    // The same stream -> the attachment clean-up Lambda runs in AWS, against the local S3 server. The
    // local relay has no event filter: the handler ignores what the filter would have held back.
    const attachmentCleanup = await startStreamRelay({
      name: 'attachment-cleanup',
      endpoint: dynamo.endpoint,
      tableName,
      consumer: once(async () => {
        const [cleanup, runtime] = await Promise.all([
          import('../functions/events/attachment-cleanup'),
          import('../shared/runtime/attachment-cleanup'),
        ]);
        return cleanup.createAttachmentCleanup(runtime.attachmentCleanupDeps());
      }),
      ...(print ? { log: print } : {}),
    });
    stops.push(attachmentCleanup.stop);
    const inboundEmail = once(() =>
      import('../functions/events/inbound-email').then((module) => module.createHandler(adapters)),
    );
    const drainAll = async () => {
      await relay.drain();
      await Promise.all([attachmentCleanup.drain(), ...queues.map((queue) => queue.drain())]);
    };

    const { httpRuntime } = await import('../shared/runtime/http');
    const runtime = httpRuntime();
    const { makeDirectorySettingsStore } = await import('../shared/adapters/dynamodb/directory-settings');
    await seed({ ...runtime.deps, settings: makeDirectorySettingsStore(runtime.doc, runtime.tableName) });

    const idp = await createDevIdp({
      workspaceClaim: process.env[ENV.workspaceClaim] ?? DEFAULTS.workspaceClaim,
      ...(dataDir ? { keyFile: join(dataDir, 'dev-idp-key.json') } : {}),
    });
    const handlers = new Map<RouteGroup, Promise<GroupHandler>>();
    const loadHandler = (group: RouteGroup) => {
      let loaded = handlers.get(group);
      if (!loaded) {
        // A group that needs a simulated adapter exports createHandler(adapters); the others build from config.
        loaded = import(
          group === 'scim' ? '../functions/scim/handler.ts' : `../functions/http/${group}.ts`
        ).then(
          (module: {
            handler: GroupHandler;
            createHandler?: (adapters: ExternalAdapters) => GroupHandler;
          }) => (module.createHandler ? module.createHandler(adapters) : module.handler),
        );
        handlers.set(group, loaded);
      }
      return loaded;
    };
    const describeUser = (email: string) => {
      const known = findSeedUser(email);
      return {
        name: known?.name ?? email.split('@')[0] ?? email,
        workspace: known ? seedWorkspaceOf(known) : SEED_WORKSPACE,
      };
    };
    const localRoutes: GatewayOptions['localRoutes'] = async (req, res, path) => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
        return true;
      };
      if (req.method === 'GET' && (path === '/_local' || path === '/_local/')) {
        return json(200, { routes: LOCAL_ROUTES });
      }
      if (await demoApp.handle(req, res, path)) return true;
      if (req.method === 'POST' && path === '/_local/idp/logout-token') {
        const parsed = logoutTokenRequest.safeParse(await readJson(req));
        if (!parsed.success) {
          return json(400, {
            error: 'validation_failed',
            message: 'Send {audience: the GTR endpoint URL, lifetimeSeconds?, jti?}.',
          });
        }
        const { audience, lifetimeSeconds, jti } = parsed.data;
        return json(
          200,
          await idp.signLogoutToken({
            audience,
            ...(lifetimeSeconds ? { lifetimeSeconds } : {}),
            ...(jti ? { jti } : {}),
          }),
        );
      }
      if (req.method === 'POST' && path === '/_local/rotations/sweep') {
        const now = ((await readJson(req)) as { now?: unknown } | undefined)?.now;
        const at = typeof now === 'string' ? new Date(now) : new Date();
        if (Number.isNaN(at.getTime())) {
          return json(400, { error: 'validation_failed', message: 'Send {"now": an ISO date-time} or {}.' });
        }
        const [{ createRotationSweep }, runtime] = await Promise.all([
          import('../functions/jobs/rotation-sweep'),
          import('../shared/runtime/rotation-sweep'),
        ]);
        const report = await createRotationSweep(runtime.rotationSweepDeps({ now: () => at }))();
        await drainAll();
        return json(200, report);
      }
      if (req.method === 'GET' && path === '/_local/outbox/push') {
        await drainAll();
        return json(200, { items: push.outbox });
      }
      if (req.method === 'GET' && path === '/_local/queues') {
        return json(200, {
          queues: queues.map((queue) => queue.snapshot()),
          streams: [relay.snapshot(), attachmentCleanup.snapshot()],
          events: bus.published,
        });
      }
      const failSends = /^\/_local\/queues\/([\w-]+)\/fail-sends$/.exec(path);
      if (req.method === 'POST' && failSends) {
        const queue = queues.find((candidate) => candidate.name === failSends[1]);
        if (!queue) return json(404, { error: 'not_found', message: 'No such local queue.' });
        const count = ((await readJson(req)) as { count?: unknown } | undefined)?.count;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 100) {
          return json(400, { error: 'validation_failed', message: 'Send {"count": 0..100}.' });
        }
        queue.failNextSends(count);
        return json(200, { queue: queue.name, failNextSends: count });
      }
      if (req.method === 'POST' && path === '/_local/inbound/sms') {
        const input = await readJson(req);
        const parsed = inboundSmsRequest.safeParse(input);
        if (!parsed.success) {
          return json(400, {
            error: 'validation_failed',
            message: 'Send {from, to, body}.',
            fields: parsed.error.issues,
          });
        }
        // As in AWS: the topic delivers the payload raw to the inbound SMS queue, whose consumer stores it.
        const payload = twoWaySmsPayload(parsed.data);
        await inboundSmsQueue.queue.enqueue([payload]);
        await inboundSmsQueue.drain();
        return json(202, { accepted: true, inboundMessageId: payload.inboundMessageId });
      }
      if (req.method === 'POST' && path === '/_local/inbound/email') {
        const type = (req.headers['content-type'] ?? '').toLowerCase();
        let raw: Buffer;
        let request: z.infer<typeof inboundEmailRequest>;
        if (type.startsWith('message/rfc822')) {
          // Raw MIME as sent: envelope from the query string (?from=&to=), like an MTA would have it.
          const chunks: Buffer[] = [];
          for await (const chunk of req) chunks.push(chunk as Buffer);
          raw = Buffer.concat(chunks);
          const query = new URL(req.url ?? '/', 'http://local').searchParams;
          const envelope = inboundEmailRequest.safeParse({
            from: query.get('from') ?? 'sender@local',
            to: query.get('to'),
          });
          if (!envelope.success)
            return json(400, { error: 'validation_failed', message: 'Give ?to= (and ?from=).' });
          request = envelope.data;
        } else {
          const parsed = inboundEmailRequest.safeParse(await readJson(req, 2 * 1024 * 1024));
          if (!parsed.success) {
            return json(400, {
              error: 'validation_failed',
              message: 'Send {from, to, subject?, text?, html?}.',
            });
          }
          request = parsed.data;
          raw = composeMime(request, request.messageId ?? randomUUID());
        }
        const messageId = request.messageId ?? randomUUID().replace(/-/g, '');
        mailObjects.objects.set(`inbound/${messageId}`, raw);
        await (await inboundEmail())(sesReceiptEvent({ ...request, messageId }));
        await inboundQueue.drain();
        return json(202, { accepted: true, messageId });
      }
      if (req.method === 'POST' && path === '/_local/push/disable-endpoint') {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const arn = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { endpointArn?: string })
          .endpointArn;
        return arn && push.disable(arn)
          ? json(200, { endpointArn: arn, enabled: false })
          : json(404, { error: 'not_found', message: 'No such endpoint.' });
      }
      return false;
    };
    const gateway: Server = createGateway({ idp, loadHandler, describeUser, localRoutes });
    await new Promise<void>((ready, fail) => {
      gateway.once('error', fail);
      gateway.listen(options.apiPort, '127.0.0.1', () => ready());
    });
    stops.push(
      () =>
        new Promise((done) => {
          gateway.closeAllConnections();
          gateway.close(() => done());
        }),
    );

    return {
      apiUrl: `http://localhost:${options.apiPort}`,
      sesUrl: ses.url,
      ses: { pause: ses.pause, resume: ses.resume },
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      tableName,
      dataDir,
      dynamodb: dynamo,
      push: {
        outbox: push.outbox,
        drain: drainAll,
        disableEndpoint: push.disable,
        hasEndpoint: (arn) => push.endpoints.has(arn),
        failNextPublishes: push.failNextPublishes,
      },
      sentEmails: async () => {
        await relay.drain();
        return listSentEmails(ses.url);
      },
      queues: Object.fromEntries(queues.map((queue) => [queue.name, queue])),
      outboxRelay: { snapshot: relay.snapshot },
      issueToken: async (email) => {
        const known = describeUser(email);
        return (await idp.issue({ email, ...known })).token;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
