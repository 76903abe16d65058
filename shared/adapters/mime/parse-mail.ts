import PostalMime from 'postal-mime';

export interface ParsedMail {
  from: string;
  subject?: string;
  text: string;
  html?: string;
  attachments: { filename: string; mimeType: string; size: number }[];
}

/** What one parsed message may keep: text and HTML are capped; attachments keep their names only. */
export const MAIL_LIMITS = { textChars: 64 * 1024, htmlChars: 120 * 1024, attachments: 20 } as const;

/**
 * Raw MIME -> the fields the shared inbox keeps, with postal-mime (maintained, no native code).
 * Never throws on hostile input: a message that does not parse becomes an empty one flagged by the
 * caller. Attachment contents are dropped here and never stored.
 */
export async function parseMail(raw: Buffer): Promise<ParsedMail | undefined> {
  let parsed: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    parsed = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer', maxNestingDepth: 32 } as never);
  } catch {
    return undefined;
  }
  const from = parsed.from?.address
    ? `${parsed.from.name ? `${parsed.from.name} ` : ''}<${parsed.from.address}>`
    : '';
  return {
    from: from.slice(0, 320),
    ...(parsed.subject ? { subject: parsed.subject.slice(0, 998) } : {}),
    text: (parsed.text ?? '').slice(0, MAIL_LIMITS.textChars),
    ...(parsed.html ? { html: parsed.html.slice(0, MAIL_LIMITS.htmlChars) } : {}),
    attachments: (parsed.attachments ?? []).slice(0, MAIL_LIMITS.attachments).map((a) => ({
      filename: (a.filename ?? '').slice(0, 200),
      mimeType: (a.mimeType ?? '').slice(0, 100),
      size: typeof a.content === 'string' ? a.content.length : (a.content?.byteLength ?? 0),
    })),
  };
}
