import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV, optionalEnv } from '../../config/env';
import { tracer } from '../../observability';

export interface DynamoConfig {
  region?: string;
  /** Set only for DynamoDB Local. */
  endpoint?: string;
}

export function makeDocumentClient(config: DynamoConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  });
  return DynamoDBDocumentClient.from(tracer.captureAWSv3Client(client), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

let shared: DynamoDBDocumentClient | undefined;

/** The process-wide client, created on first use (cold start) and reused by every invocation. */
export function sharedDocumentClient(): DynamoDBDocumentClient {
  if (!shared) {
    const endpoint = optionalEnv(ENV.dynamodbEndpoint);
    shared = makeDocumentClient(endpoint ? { endpoint } : {});
  }
  return shared;
}
