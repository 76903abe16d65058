import PostalMime, { type Email } from 'postal-mime';
import { htmlToText } from '../../domain/inbox/html-to-text';

export interface ParsedMail {
  from: string;
  subject?: string;
  text: string;
  html?: string;
  attachments: { filename: string; mimeType: string; size: number }[];
}

/**
 * What one parsed message may carry to the inbox queue (an SQS message, 256 KB): text and HTML are cut
 * here, attachments keep their names only. Subjects and senders are cut above the inbox's own limits
 * (998 and 320 characters), so that the inbox sees that they were longer and flags them `truncated`.
 */
export const MAIL_LIMITS = {
  textChars: 64 * 1024,
  htmlChars: 120 * 1024,
  attachments: 20,
  subjectChars: 2 * 1024,
  fromChars: 1024,
  /** Forwarded messages (`message/rfc822` attachments) whose text is appended to the body. */
  forwarded: 3,
} as const;

const OPTIONS = { attachmentEncoding: 'arraybuffer', maxNestingDepth: 32, maxRfc822NestingDepth: 4 } as never;

function senderOf(parsed: Email): string {
  return parsed.from?.address
    ? `${parsed.from.name ? `${parsed.from.name} ` : ''}<${parsed.from.address}>`
    : '';
}

/**
 * The text a person reads: the text/plain parts, or, when a message has none (HTML only, HTML inside
 * multipart/related, a bounce's HTML explanation), its HTML turned into text. postal-mime already
 * inlines the text of forwarded messages sent inline.
 */
function bodyText(parsed: Email): string {
  if (parsed.text && parsed.text.trim() !== '') return parsed.text;
  return parsed.html ? htmlToText(parsed.html).text : '';
}

/** A delivery or feedback report: its `message/rfc822` part is the bounced original, not content. */
function isReport(parsed: Email): boolean {
  const type = parsed.headers?.find((h) => h.key === 'content-type')?.value ?? '';
  return type.trimStart().toLowerCase().startsWith('multipart/report');
}

/** Messages forwarded as attachments ("Forward as attachment"): their header block and text. */
async function forwardedTexts(parsed: Email): Promise<string[]> {
  if (isReport(parsed)) return [];
  const texts: string[] = [];
  for (const attachment of parsed.attachments ?? []) {
    if (texts.length >= MAIL_LIMITS.forwarded) break;
    if (attachment.mimeType?.toLowerCase() !== 'message/rfc822' || typeof attachment.content === 'string')
      continue;
    let inner: Email;
    try {
      inner = await PostalMime.parse(attachment.content, OPTIONS);
    } catch {
      continue;
    }
    const header = [
      '---------- Forwarded message ----------',
      `From: ${senderOf(inner)}`,
      ...(inner.subject ? [`Subject: ${inner.subject.slice(0, MAIL_LIMITS.subjectChars)}`] : []),
    ].join('\n');
    texts.push(`${header}\n\n${bodyText(inner)}`);
  }
  return texts;
}

/**
 * Raw MIME -> the fields the shared inbox keeps, with postal-mime (maintained, no native code).
 * Never throws on hostile input: a message that does not parse becomes an empty one flagged by the
 * caller. Attachment contents are dropped here and never stored.
 */
export async function parseMail(raw: Buffer): Promise<ParsedMail | undefined> {
  let parsed: Email;
  let forwarded: string[];
  try {
    parsed = await PostalMime.parse(raw, OPTIONS);
    forwarded = await forwardedTexts(parsed);
  } catch {
    return undefined;
  }
  const text = [bodyText(parsed), ...forwarded].filter((part) => part.trim() !== '').join('\n\n');
  return {
    from: senderOf(parsed).slice(0, MAIL_LIMITS.fromChars),
    ...(parsed.subject ? { subject: parsed.subject.slice(0, MAIL_LIMITS.subjectChars) } : {}),
    text: text.slice(0, MAIL_LIMITS.textChars),
    ...(parsed.html ? { html: parsed.html.slice(0, MAIL_LIMITS.htmlChars) } : {}),
    attachments: (parsed.attachments ?? []).slice(0, MAIL_LIMITS.attachments).map((a) => ({
      filename: (a.filename ?? '').slice(0, 200),
      mimeType: (a.mimeType ?? '').slice(0, 100),
      size: typeof a.content === 'string' ? a.content.length : (a.content?.byteLength ?? 0),
    })),
  };
}
