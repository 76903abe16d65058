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
 * The inbox queue (SQS) takes 256 KiB per message and per batch: one queued message, and one batch of
 * them, stays under this many bytes of JSON (room left for the request envelope). HTML is cut first
 * (it is read for extraction only, and the text already holds what it says), then the text (flag
 * `truncated`).
 */
export const MAX_QUEUED_BYTES = 250 * 1024;

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The longest prefix of `field` that keeps the message within MAX_QUEUED_BYTES (binary search). */
function longestFit(message: InboundMessage, field: 'html' | 'text'): number {
  const value = message[field] ?? '';
  let lo = 0;
  let hi = value.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (jsonBytes({ ...message, [field]: value.slice(0, mid) }) <= MAX_QUEUED_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function fitQueue(message: InboundMessage): InboundMessage {
  if (jsonBytes(message) <= MAX_QUEUED_BYTES) return message;
  const { html, ...withoutHtml } = message;
  if (html && jsonBytes(withoutHtml) <= MAX_QUEUED_BYTES) {
    const keep = longestFit(message, 'html');
    return keep > 0 ? { ...message, html: html.slice(0, keep) } : withoutHtml;
  }
  const flags = withoutHtml.flags?.includes('truncated')
    ? withoutHtml.flags
    : [...(withoutHtml.flags ?? []), 'truncated'];
  const cut = { ...withoutHtml, flags };
  return { ...cut, text: cut.text.slice(0, longestFit(cut, 'text')) };
}

/** Batches of at most 10 messages and MAX_QUEUED_BYTES of JSON. */
function batches(messages: InboundMessage[]): InboundMessage[][] {
  const out: InboundMessage[][] = [];
  let current: InboundMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = jsonBytes(message);
    if (current.length === 10 || (current.length > 0 && bytes + size > MAX_QUEUED_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

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
  const messages: InboundMessage[] = notice.recipients.map((to) =>
    fitQueue({
      channel: 'email',
      naturalId: `${notice.messageId}:${to}`,
      from: parsed?.from || notice.from,
      to,
      subject: parsed?.subject ?? notice.subject,
      text: parsed?.text ?? '',
      ...(parsed?.html ? { html: parsed.html } : {}),
      receivedAt: notice.timestamp,
      flags,
    }),
  );
  for (const batch of batches(messages)) await deps.queue.enqueue(batch);
  return messages;
}
