import type { BlobStore } from '../ports';
import type { InboundMessage } from './ingest';

export interface MailNotice {
  messageId: string;
  timestamp: string;
  recipients: string[];
  from: string;
  subject?: string | undefined;
  spam: boolean;
  virus: boolean;
}

export interface ParsedMailFields {
  from: string;
  subject?: string | undefined;
  text: string;
  html?: string | undefined;
  attachments: unknown[];
}

export interface MailIntakeDeps {
  blobs: BlobStore;
  parse: (raw: Buffer) => Promise<ParsedMailFields | undefined>;
  queue: { enqueue(items: InboundMessage[]): Promise<void> };
  /** The S3 action's object key prefix. */
  prefix: string;
  /** Larger messages keep their headers only (flag `too_large`). */
  maxBytes: number;
}

/** Raw mail is never read past this: SES accepts up to 40 MB, verification mail is far smaller. */
export const MAX_MAIL_BYTES = 10 * 1024 * 1024;

/**
 * One received email -> one inbox message per managed recipient, queued for the inbox. Verdicts are
 * honoured: a virus keeps metadata only (content never read), spam is flagged. Attachments are never
 * kept, only flagged. Malformed or oversized MIME becomes a flagged, empty message, never an error.
 */
export async function intakeMail(notice: MailNotice, deps: MailIntakeDeps): Promise<InboundMessage[]> {
  const flags: string[] = [];
  if (notice.spam) flags.push('spam');
  if (notice.virus) flags.push('virus');
  let parsed: ParsedMailFields | undefined;
  if (!notice.virus) {
    const object = await deps.blobs.get(`${deps.prefix}${notice.messageId}`, deps.maxBytes);
    if (!object) flags.push('missing');
    else if (object.truncated) flags.push('too_large');
    else {
      parsed = await deps.parse(object.body);
      if (!parsed) flags.push('unparseable');
      else if (parsed.attachments.length > 0) flags.push('attachments_dropped');
    }
  }
  const messages: InboundMessage[] = notice.recipients.map((to) => ({
    channel: 'email',
    naturalId: `${notice.messageId}:${to}`,
    from: parsed?.from || notice.from,
    to,
    subject: parsed?.subject ?? notice.subject,
    text: parsed?.text ?? '',
    ...(parsed?.html ? { html: parsed.html } : {}),
    receivedAt: notice.timestamp,
    flags,
  }));
  for (let i = 0; i < messages.length; i += 10) await deps.queue.enqueue(messages.slice(i, i + 10));
  return messages;
}
