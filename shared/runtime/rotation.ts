import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CALL_BUDGETS, clientOptions } from '../adapters/aws/call-budget';
import { makeDemoDriver } from '../adapters/connectors/demo-driver';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeUserRepository } from '../adapters/dynamodb/user-repository';
import { newId, systemClock } from '../adapters/ids';
import { securityLog } from '../adapters/security-log';
import { makeSesMailer } from '../adapters/ses/mailer';
import { ENV, optionalEnv, positiveIntEnv, requireEnv } from '../config/env';
import type { Clock } from '../domain/ports';
import type { AppDriver, ConnectorDeps } from '../domain/rotation/connector';
import type { EngineDeps } from '../domain/rotation/engine';
import { ConnectorError } from '../domain/rotation/errors';
import type { Connector, ConnectorResult } from '../domain/rotation/ports';
import type { sweepDueRotations } from '../domain/rotation/use-cases';
import { metrics, tracer } from '../observability';
import { sesClient } from './aws-clients';
import { sharedKeyring } from './keyring';
import { makeNotifier } from './notify';

/** One connector call's time box (the connector function's own timeout sits just above it). */
export function connectorTimeoutMs(): number {
  return positiveIntEnv(ENV.connectorTimeoutMs, 10_000);
}

/** The connector function's adapters: read-only access to sealed secrets, the keyring, the app drivers. */
export function connectorDeps(): ConnectorDeps {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  const rotations = makeRotationRepository(doc, tableName);
  const accounts = makeAccountRepository(doc, tableName);
  const drivers: Record<string, AppDriver> = {};
  const demoUrl = optionalEnv(ENV.demoAppUrl);
  if (demoUrl) drivers.demo = makeDemoDriver({ baseUrl: demoUrl, timeoutMs: connectorTimeoutMs() });
  return {
    secrets: {
      sealedPassword: rotations.sealedPassword,
      pendingSeed: async (accountId, rotationId) => (await rotations.get(accountId, rotationId))?.pendingSeed,
      accountTotp: async (accountId) => (await accounts.get(accountId))?.totp,
    },
    keyring: sharedKeyring(),
    drivers,
    clock: systemClock,
  };
}

/**
 * The connector as the worker sees it in AWS: a synchronous invoke of the isolated connector function.
 * The payload is ids and version numbers only; a function error or timeout is a ConnectorError.
 */
export function lambdaConnector(): Connector {
  const client = tracer.captureAWSv3Client(new LambdaClient(clientOptions(CALL_BUDGETS.worker)));
  const functionName = requireEnv(ENV.connectorFunctionName);
  return {
    async run(request) {
      const output = await client.send(
        new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(request)) }),
      );
      if (output.FunctionError) throw new ConnectorError(`the connector failed: ${output.FunctionError}`);
      return JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8')) as ConnectorResult;
    },
  };
}

/** What the rotation worker needs, around a given connector (Lambda in AWS, in-process locally). */
export function rotationWorkerDeps(connector: Connector): EngineDeps {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  const notifications = makeNotifier(doc, tableName);
  return {
    rotations: makeRotationRepository(doc, tableName),
    accounts: makeAccountRepository(doc, tableName),
    users: makeUserRepository(doc, tableName),
    keyring: sharedKeyring(),
    connector,
    clock: systemClock,
    notifier: notifications.notifier,
    mailer: makeSesMailer(sesClient('worker'), {
      from: requireEnv(ENV.emailFrom),
      budget: CALL_BUDGETS.worker,
    }),
    security: securityLog,
    count: (metric) => metrics.addMetric(metric, 'Count', 1),
    leaseMs: 2 * connectorTimeoutMs() + 5_000,
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
  };
}

/** What the rotation sweep needs: the rotations' due index and the accounts, on a given clock. */
export function rotationSweepDeps(clock: Clock = systemClock): Parameters<typeof sweepDueRotations>[0] {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  return {
    rotations: makeRotationRepository(doc, tableName),
    accounts: makeAccountRepository(doc, tableName),
    newId,
    clock,
  };
}
