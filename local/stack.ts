import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { z } from 'zod';
import { DEFAULTS, ENV } from '../shared/config/env';
import type { InboundMessage } from '../shared/domain/accounts/ingest';
import type { RouteGroup } from '../shared/http/routes';
import { createDevIdp } from './dev-idp';
import { type DynamoDbLocal, ensureTable, LOCAL_AWS, startDynamoDbLocal } from './dynamodb-local';
import { createGateway, type GatewayOptions, type GroupHandler } from './gateway';
import {
  composeMime,
  createBlobStore,
  createPhoneNumberSimulator,
  inboundEmailRequest,
  inboundSmsRequest,
  readJson,
  sesReceiptEvent,
  snsSmsEvent,
} from './messaging-simulator';
import { assertPortFree } from './ports';
import { createLocalQueue, createPushSimulator, type OutboxPush } from './push-simulator';
import { findSeedUser, SEED_WORKSPACE, seed, seedWorkspaceOf } from './seed';
import { startSesLocal } from './ses-local';

export interface LocalStackOptions {
  apiPort: number;
  sesPort: number;
  dynamodbPort: number;
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
  dynamodbEndpoint: string;
  tableName: string;
  dataDir: string | undefined;
  /** The DynamoDB Local child process (tests stop it to prove an outage is a clean 500). */
  dynamodb: DynamoDbLocal;
  /** Simulated pushes, and a wait until queued push work has run. */
  push: { outbox: OutboxPush[]; drain(): Promise<void>; disableEndpoint(arn: string): boolean };
  issueToken(email: string): Promise<string>;
  stop(): Promise<void>;
}

export const LOCAL_TABLE_NAME = 'latchkey-local';

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

  const stops: Array<() => Promise<void>> = [];
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

    const ses = await startSesLocal(options.sesPort);
    stops.push(ses.stop);

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
      [ENV.emailFrom]: process.env[ENV.emailFrom] ?? 'no-reply@latchkey.local',
      [ENV.workspaceClaim]: process.env[ENV.workspaceClaim] ?? DEFAULTS.workspaceClaim,
      [ENV.stage]: 'local',
      [ENV.webBaseUrl]: process.env[ENV.webBaseUrl] ?? 'http://localhost:5173',
      [ENV.localHmacKey]: localKey(dataDir, 'hmac.key'),
      // Stands in for the KMS secrets key: account passwords and TOTP seeds stay readable across restarts.
      [ENV.localSecretsKey]: localKey(dataDir, 'secrets.key'),
      [ENV.inboundEmailDomain]: process.env[ENV.inboundEmailDomain] ?? 'inbound.latchkey.local',
      ...options.env,
    });

    // No local engine for SNS mobile push or SQS: simulators take their place, before any handler loads.
    const { simulatedAdapters } = await import('../shared/adapters/simulated');
    const push = createPushSimulator({ print: options.quiet ? undefined : (line) => console.log(line) });
    let fanout: Promise<(event: SQSEvent) => Promise<SQSBatchResponse>> | undefined;
    const pushQueue = createLocalQueue(() => {
      fanout ??= import('../functions/events/push-fanout').then((module) => module.handler);
      return fanout;
    });
    simulatedAdapters.pushGateway = push.gateway;
    simulatedAdapters.pushQueue = pushQueue.queue;
    const phones = createPhoneNumberSimulator();
    simulatedAdapters.phoneNumbers = phones.phoneNumbers;
    const mailObjects = createBlobStore();
    simulatedAdapters.blobStore = mailObjects.blobStore;
    const inboundQueue = createLocalQueue<InboundMessage>(() =>
      import('../functions/events/inbound-ingest').then((module) => module.handler),
    );
    simulatedAdapters.inboundQueue = inboundQueue.queue;

    const { httpRuntime } = await import('../shared/http/runtime');
    const runtime = httpRuntime();
    await seed(runtime.deps);

    const idp = await createDevIdp({
      workspaceClaim: process.env[ENV.workspaceClaim] ?? DEFAULTS.workspaceClaim,
      ...(dataDir ? { keyFile: join(dataDir, 'dev-idp-key.json') } : {}),
    });
    const handlers = new Map<RouteGroup, Promise<GroupHandler>>();
    const loadHandler = (group: RouteGroup) => {
      let loaded = handlers.get(group);
      if (!loaded) {
        loaded = import(
          group === 'scim' ? '../functions/scim/handler.ts' : `../functions/http/${group}.ts`
        ).then((module) => module.handler as GroupHandler);
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
      if (req.method === 'GET' && path === '/_local/outbox/push') {
        await pushQueue.drain();
        return json(200, { items: push.outbox });
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
        const event = snsSmsEvent(parsed.data);
        const { handler } = await import('../functions/events/inbound-sms');
        await handler(event);
        return json(202, {
          accepted: true,
          inboundMessageId: parsed.data.inboundMessageId ?? event.Records[0]?.Sns.MessageId,
        });
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
        const { handler } = await import('../functions/events/inbound-email');
        await handler(sesReceiptEvent({ ...request, messageId }));
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
      dynamodbEndpoint: dynamo.endpoint,
      tableName,
      dataDir,
      dynamodb: dynamo,
      push: { outbox: push.outbox, drain: pushQueue.drain, disableEndpoint: push.disable },
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
