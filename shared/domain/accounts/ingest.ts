import { createHash } from 'node:crypto';
import { extractCode } from '../inbox/extract-code';
import type { AccountRepository, InboxRepository, Notifier } from '../ports';
import { sanitizeText } from '../text/sanitize';
import {
  INBOX_DEFAULT_RETENTION_DAYS,
  INBOX_FROM_LIMIT,
  INBOX_SUBJECT_LIMIT,
  INBOX_TEXT_LIMIT,
  type InboxMessage,
} from './model';

export interface InboundMessage {
  channel: 'sms' | 'email';
  /** The source's own id (`inboundMessageId`, SES `messageId`): replays carry the same one. */
  naturalId: string;
  from: string;
  to: string;
  subject?: string | undefined;
  text: string;
  html?: string | undefined;
  receivedAt: string;
  /** e.g. `spam`, `virus` (content dropped), `too_large`, `truncated`. */
  flags?: string[];
}

/** What people will read, as stored: sanitised (flag `sanitized`), then capped (flag `truncated`). */
export function inboxText(
  message: Pick<InboundMessage, 'from' | 'subject' | 'text' | 'flags'>,
  contentDropped: boolean,
): { from: string; subject?: string; text: string; flags: string[] } {
  const flags = new Set(message.flags ?? []);
  const field = (value: string, limit: number, multiline: boolean): string => {
    const clean = sanitizeText(value, { multiline });
    if (clean.changed) flags.add('sanitized');
    if (clean.text.length <= limit) return clean.text;
    flags.add('truncated');
    // Never leave half of a surrogate pair at the cut.
    const end = clean.text.charCodeAt(limit - 1) >= 0xd800 && clean.text.charCodeAt(limit - 1) <= 0xdbff;
    return clean.text.slice(0, end ? limit - 1 : limit);
  };
  const from = field(message.from, INBOX_FROM_LIMIT, false);
  const subject = message.subject ? field(message.subject, INBOX_SUBJECT_LIMIT, false) : '';
  const text = contentDropped ? '' : field(message.text, INBOX_TEXT_LIMIT, true);
  return { from, ...(subject ? { subject } : {}), text, flags: [...flags] };
}

export interface IngestDeps {
  accounts: Pick<AccountRepository, 'routeByPhone' | 'routeByEmail' | 'members' | 'markCodeReceived'>;
  inbox: Pick<InboxRepository, 'store' | 'markNotified'>;
  notifier: Notifier;
  retentionDays?: number;
  /** Counts an outcome (`InboundReceived`, `InboundStored`, ...) of the message's channel. */
  count?: (metric: string, channel: InboundMessage['channel']) => void;
  /** Members of the teams the account is shared with: they get its inbox notifications too. */
  teamRecipients?: (accountId: string) => Promise<string[]>;
}

export type IngestOutcome = 'stored' | 'duplicate' | 'unknown_recipient';

/** Message ids come from the natural id, so a replayed event maps onto the same item. */
export function messageId(channel: string, naturalId: string): string {
  return `msg_${createHash('sha256').update(`${channel}\n${naturalId}`).digest('base64url').slice(0, 22)}`;
}

/**
 * One inbound SMS or email for a managed number or address: routed to its account, stored once with
 * the extraction result, and announced to every member when it carries a code. Unknown recipients are
 * counted and dropped without error (the number or address was released).
 */
export async function ingestInbound(message: InboundMessage, deps: IngestDeps): Promise<IngestOutcome> {
  deps.count?.('InboundReceived', message.channel);
  const accountId =
    message.channel === 'sms'
      ? await deps.accounts.routeByPhone(message.to)
      : await deps.accounts.routeByEmail(message.to.toLowerCase());
  if (!accountId) {
    deps.count?.('InboundUnknownRecipient', message.channel);
    return 'unknown_recipient';
  }
  const contentDropped = message.flags?.includes('virus') ?? false;
  const extraction = contentDropped
    ? { code: null, kind: null, confidence: 0, links: [] }
    : extractCode({
        channel: message.channel,
        text: message.text,
        ...(message.subject ? { subject: message.subject } : {}),
        ...(message.html ? { html: message.html } : {}),
      });
  // Extraction reads the fields as received (it is built for hostile input); people read them sanitised.
  const shown = inboxText(message, contentDropped);
  const item: InboxMessage = {
    id: messageId(message.channel, message.naturalId),
    accountId,
    channel: message.channel,
    from: shown.from,
    to: message.to,
    ...(shown.subject ? { subject: shown.subject } : {}),
    receivedAt: message.receivedAt,
    text: shown.text,
    code: extraction.code,
    kind: extraction.kind,
    confidence: extraction.confidence,
    links: extraction.links.slice(0, 5).map((link) => ({ url: link.url, host: link.host })),
    flags: shown.flags,
  };
  // A message without a code announces nothing: it is stored as notified already (no second write).
  const { stored, notified } = await deps.inbox.store(
    item,
    deps.retentionDays ?? INBOX_DEFAULT_RETENTION_DAYS,
    { notified: !item.code },
  );
  if (!stored && notified) {
    deps.count?.('InboundDuplicate', message.channel);
    return 'duplicate';
  }
  if (item.code) {
    if (stored) deps.count?.('InboundCodeExtracted', message.channel);
    // A replay of a message whose notification did not go out (a crash in between) sends it now; the
    // notifications and the claim's `notified` mark commit together, so two replays announce it once.
    const [members, throughTeams] = await Promise.all([
      deps.accounts.members(accountId),
      deps.teamRecipients ? deps.teamRecipients(accountId) : Promise.resolve([]),
      deps.accounts.markCodeReceived(accountId, item.receivedAt),
    ]);
    await deps.notifier.notify(
      'otp_code_received',
      [...new Set([...members.map((m) => m.userId), ...throughTeams])],
      { accountId, messageId: item.id },
      { inboundMessageId: item.id },
    );
  } else if (!notified) {
    // Stored before messages without a code were stored notified: finish it.
    await deps.inbox.markNotified(item);
  }
  deps.count?.(stored ? 'InboundStored' : 'InboundDuplicate', message.channel);
  return stored ? 'stored' : 'duplicate';
}
