import type { SESEvent } from 'aws-lambda';
import { CALL_BUDGETS } from '../../shared/adapters/aws/call-budget';
import { parseMail } from '../../shared/adapters/mime/parse-mail';
import { makeS3BlobStore } from '../../shared/adapters/s3/blob-store';
import { parseSesEvent } from '../../shared/adapters/ses/inbound-event';
import { simulatedAdapters } from '../../shared/adapters/simulated';
import { makeSqsQueue } from '../../shared/adapters/sqs/push-queue';
import { ENV, optionalEnv, requireEnv } from '../../shared/config/env';
import type { InboundMessage } from '../../shared/domain/accounts/ingest';
import { intakeMail, MAX_MAIL_BYTES } from '../../shared/domain/accounts/mail-intake';
import { logger } from '../../shared/observability';
import { s3Client, sqsClient } from '../../shared/runtime/aws-clients';

const deps = {
  blobs:
    simulatedAdapters.blobStore ??
    makeS3BlobStore(s3Client('worker'), {
      bucket: requireEnv(ENV.inboundMailBucket),
      budget: CALL_BUDGETS.worker,
    }),
  queue:
    simulatedAdapters.inboundQueue ??
    makeSqsQueue<InboundMessage>(sqsClient('worker'), {
      queueUrl: requireEnv(ENV.inboundQueueUrl),
      budget: CALL_BUDGETS.worker,
    }),
  parse: parseMail,
  prefix: optionalEnv(ENV.inboundMailPrefix) ?? 'inbound/',
  maxBytes: MAX_MAIL_BYTES,
};

/**
 * SES receipt rule (after its S3 action) -> parse the raw MIME -> queue one inbox message per managed
 * recipient. No database here: the inbox side (inbound-ingest) stores and notifies. Failures throw:
 * SES retries the asynchronous invocation, then the function's dead-letter queue keeps the event.
 */
export const handler = async (event: SESEvent): Promise<void> => {
  for (const notice of parseSesEvent(event)) {
    const messages = await intakeMail(notice, deps);
    logger.info('inbound email', { recipients: messages.length, flags: messages[0]?.flags ?? [] });
  }
};
