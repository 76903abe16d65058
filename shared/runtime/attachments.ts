import { CALL_BUDGETS } from '../adapters/aws/call-budget';
import { makeAttachmentRepository } from '../adapters/dynamodb/attachment-repository';
import { makeS3AttachmentStore } from '../adapters/s3/attachment-store';
import { ENV, requireEnv } from '../config/env';
import type { AttachmentDeps } from '../domain/secrets/attachments';
import { s3Client } from './aws-clients';
import { secretsRuntime } from './secrets';

/** The secrets runtime plus the attachments: their records and the bucket (presigned POST and GET). */
export function attachmentsRuntime() {
  const runtime = secretsRuntime();
  const secretDeps: AttachmentDeps & typeof runtime.secretDeps = {
    ...runtime.secretDeps,
    attachments: makeAttachmentRepository(runtime.doc, runtime.tableName),
    attachmentStore: makeS3AttachmentStore(s3Client('request'), {
      bucket: requireEnv(ENV.attachmentsBucket),
      budget: CALL_BUDGETS.request,
    }),
  };
  return { ...runtime, secretDeps };
}
