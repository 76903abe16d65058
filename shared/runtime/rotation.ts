import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CALL_BUDGETS, clientOptions } from '../adapters/aws/call-budget';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeUserRepository } from '../adapters/dynamodb/user-repository';
import { systemClock } from '../adapters/ids';
import { securityLog } from '../adapters/security-log';
import { makeSesMailer } from '../adapters/ses/mailer';
import { ENV, requireEnv } from '../config/env';
import type { EngineDeps } from '../domain/rotation/engine';
import { ConnectorError } from '../domain/rotation/errors';
import type { Connector, ConnectorResult } from '../domain/rotation/ports';
import { metrics, tracer } from '../observability';
import { sesClient } from './aws-clients';
import { connectorTimeoutMs } from './connector';
import { sharedKeyring } from './keyring';
import { makeNotifier } from './notify';

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
