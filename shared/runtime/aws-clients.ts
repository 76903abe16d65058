import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CALL_BUDGETS, type CallBudget, clientOptions } from '../adapters/aws/call-budget';
import { ENV, optionalEnv } from '../config/env';
import { tracer } from '../observability';

type BudgetName = keyof typeof CALL_BUDGETS;

/**
 * One traced SDK client per service and call budget, created on first use and kept for the life of
 * the container. The budget sets the client's attempt count and per-attempt timeouts, so a request
 * path and a background worker of the same service never share retry settings.
 */
function cached<T extends object>(make: (budget: CallBudget) => T) {
  const clients = new Map<BudgetName, T>();
  return (name: BudgetName): T => {
    let client = clients.get(name);
    if (!client) {
      client = tracer.captureAWSv3Client(make(CALL_BUDGETS[name]));
      clients.set(name, client);
    }
    return client;
  };
}

export const sesClient = /* @__PURE__ */ cached((budget) => {
  const endpoint = optionalEnv(ENV.sesEndpoint);
  return new SESv2Client(clientOptions(budget, endpoint ? { endpoint } : {}));
});
export const kmsClient = /* @__PURE__ */ cached((budget) => new KMSClient(clientOptions(budget)));
export const sqsClient = /* @__PURE__ */ cached((budget) => new SQSClient(clientOptions(budget)));
export const s3Client = /* @__PURE__ */ cached((budget) => {
  // Locally the S3 server answers on one host: path-style URLs, as presigned POST and GET need.
  const endpoint = optionalEnv(ENV.s3Endpoint);
  return new S3Client({
    ...clientOptions(budget, endpoint ? { endpoint } : {}),
    ...(endpoint ? { forcePathStyle: true } : {}),
  });
});
