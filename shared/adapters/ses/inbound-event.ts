import type { SESEvent } from 'aws-lambda';

export interface InboundMailNotice {
  messageId: string;
  timestamp: string;
  /** Our recipients (the receipt's, which are the rule's matches), lower-cased. */
  recipients: string[];
  from: string;
  subject?: string;
  spam: boolean;
  virus: boolean;
}

/**
 * The SES receipt-rule Lambda event: headers and verdicts only (the body is in S3). Fields from
 * `commonHeaders` may be missing; verdict FAIL means spam (flag it) or virus (drop the content). Sender and
 * subject are cut above the inbox limits (320, 998): the inbox cuts them again and flags `truncated`.
 */
export function parseSesEvent(event: SESEvent): InboundMailNotice[] {
  return (event.Records ?? []).flatMap((record) => {
    const ses = record?.ses;
    if (!ses?.mail?.messageId || !ses.receipt) return [];
    const common =
      ses.mail.commonHeaders ?? ({} as SESEvent['Records'][number]['ses']['mail']['commonHeaders']);
    return [
      {
        messageId: ses.mail.messageId,
        timestamp: new Date(ses.mail.timestamp ?? ses.receipt.timestamp).toISOString(),
        recipients: (ses.receipt.recipients ?? []).map((r) => r.toLowerCase()),
        from: (common.from?.[0] ?? ses.mail.source ?? '').slice(0, 1024),
        ...(common.subject ? { subject: common.subject.slice(0, 2048) } : {}),
        spam: ses.receipt.spamVerdict?.status === 'FAIL',
        virus: ses.receipt.virusVerdict?.status === 'FAIL',
      },
    ];
  });
}
