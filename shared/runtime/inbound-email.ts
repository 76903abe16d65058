import { CALL_BUDGETS } from '../adapters/aws/call-budget';
import { makeS3BlobStore } from '../adapters/s3/blob-store';
import { makeSqsQueue } from '../adapters/sqs/push-queue';
import { ENV, requireEnv } from '../config/env';
import type { InboundMessage } from '../domain/accounts/ingest';
import { s3Client, sqsClient } from './aws-clients';
import type { ExternalAdapters } from './external-adapters';

/** The inbound-mail parser's AWS adapters: the raw-mail bucket and the inbound queue, a worker's budget. */
export function inboundMailAdapters(): Pick<ExternalAdapters, 'blobStore' | 'inboundQueue'> {
  return {
    blobStore: makeS3BlobStore(s3Client('worker'), {
      bucket: requireEnv(ENV.inboundMailBucket),
      budget: CALL_BUDGETS.worker,
    }),
    inboundQueue: makeSqsQueue<InboundMessage>(sqsClient('worker'), {
      queueUrl: requireEnv(ENV.inboundQueueUrl),
      budget: CALL_BUDGETS.worker,
    }),
  };
}
