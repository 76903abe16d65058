import { CALL_BUDGETS } from '../adapters/aws/call-budget';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeSecretRemains } from '../adapters/dynamodb/secret-remains';
import { makeS3AttachmentObjects } from '../adapters/s3/attachment-objects';
import { ENV, requireEnv } from '../config/env';
import type { CleanupDeps } from '../domain/secrets/cleanup';
import { s3Client } from './aws-clients';

/** The attachment clean-up's adapters: the table and the attachments bucket, with a worker's budget. */
export function attachmentCleanupDeps(): CleanupDeps {
  const tableName = requireEnv(ENV.tableName);
  return {
    objects: makeS3AttachmentObjects(s3Client('worker'), {
      bucket: requireEnv(ENV.attachmentsBucket),
      budget: CALL_BUDGETS.worker,
    }),
    remains: makeSecretRemains(sharedDocumentClient(), tableName),
  };
}
