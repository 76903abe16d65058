import type { SESEvent } from 'aws-lambda';
import { parseMail } from '../../shared/adapters/mime/parse-mail';
import { parseSesEvent } from '../../shared/adapters/ses/inbound-event';
import { ENV, optionalEnv } from '../../shared/config/env';
import { intakeMail, MAX_MAIL_BYTES } from '../../shared/domain/accounts/mail-intake';
import { logger } from '../../shared/observability';
import { type ExternalAdapters, lazyHandler } from '../../shared/runtime/external-adapters';

/** The AWS side of the parser: the raw-mail bucket and the inbox queue, with a worker's budget. */
/**
 * SES receipt rule (after its S3 action) -> parse the raw MIME -> queue one inbox message per managed
 * recipient. No database here: the inbox side (inbound-ingest) stores and notifies. Failures throw:
 * SES retries the asynchronous invocation, then the function's dead-letter queue keeps the event.
 */
export function createHandler(adapters: Pick<ExternalAdapters, 'blobStore' | 'inboundQueue'>) {
  const deps = {
    blobs: adapters.blobStore,
    queue: adapters.inboundQueue,
    parse: parseMail,
    prefix: optionalEnv(ENV.inboundMailPrefix) ?? 'inbound/',
    maxBytes: MAX_MAIL_BYTES,
  };
  return async (event: SESEvent): Promise<void> => {
    for (const notice of parseSesEvent(event)) {
      const messages = await intakeMail(notice, deps);
      logger.info('inbound email', { recipients: messages.length, flags: messages[0]?.flags ?? [] });
    }
  };
}

export const handler = lazyHandler(async () =>
  createHandler((await import('../../shared/runtime/inbound-email')).inboundMailAdapters()),
);
