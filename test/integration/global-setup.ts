import type { TestProject } from 'vitest/node';
import { ensureTable, startDynamoDbLocal } from '../../local/dynamodb-local';
import { freePort } from '../../local/ports';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
  }
}

/** One in-memory DynamoDB Local for the whole integration run, on a port nobody else holds. */
export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const tableName = `latchkey-it-${process.pid}`;
  await ensureTable(dynamo.endpoint, tableName);
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  project.provide('tableName', tableName);
  return async () => {
    await dynamo.stop();
  };
}
