import { randomBytes, randomInt } from 'node:crypto';
import { base64url, CompactEncrypt } from 'jose';
import { digestsEqual } from '../devices/secrets';
import { NotFoundError } from '../errors';
import { pageFor } from '../pagination';
import type { Clock, Hmac, IdGenerator, Mailer, MailOutbox, Notifier, SecurityLog } from '../ports';
import type { User } from '../users/model';
import {
  ShareCodeInvalidError,
  ShareCodeLimitError,
  ShareCodeTooSoonError,
  ShareLinkInvalidError,
} from './errors';
import {
  isLive,
  maskRecipient,
  SHARE_LINK_RULES,
  type ShareLink,
  type ShareLinkRules,
  type ShareResource,
  shareCodeInput,
} from './model';
import type { ShareLinkRepository } from './ports';

export interface ShareLinkDeps {
  links: ShareLinkRepository;
  /**
   * The object's content as the recipient will see it, after checking the caller owns it (account
   * owner, secret manager); someone else's object throws NotFoundError. Given by the composition root,
   * which knows accounts and secrets; this context knows neither.
   */
  shareableContent: (caller: User, resource: ShareResource) => Promise<Record<string, unknown>>;
  /** The owner's address, for the "your link was opened" email. */
  ownerEmail: (userId: string) => Promise<string | undefined>;
  hmac: Hmac;
  mailer: Mailer;
  /** The recipient's code email goes out with the write that stores the code's HMAC (outbox). */
  mailOutbox: MailOutbox;
  /** The owner's push ("your link was opened"), under the workspace and personal notification policy. */
  notifier?: Notifier;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  /** Where links point (configuration, never the request's Host header). */
  webBaseUrl: string;
  rules?: Partial<ShareLinkRules>;
}

const rulesOf = (deps: ShareLinkDeps): ShareLinkRules => ({ ...SHARE_LINK_RULES, ...deps.rules });

export interface CreateShareLinkInput {
  resource: ShareResource;
  recipientEmail: string;
  expiresInSeconds: number;
  oneTime: boolean;
}

/**
 * Encrypts the content under a fresh 256-bit key that only the returned URL's fragment carries:
 * the server keeps the compact JWE and forgets the key.
 */
export async function createShareLink(caller: User, input: CreateShareLinkInput, deps: ShareLinkDeps) {
  const content = await deps.shareableContent(caller, input.resource);
  const key = randomBytes(32);
  const ciphertext = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(content)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'application/json' })
    .encrypt(key);
  const now = deps.clock.now();
  const link: ShareLink = {
    id: deps.newId('shl'),
    workspaceId: caller.workspaceId,
    ownerId: caller.id,
    ownerName: caller.name,
    resource: input.resource,
    recipientEmail: input.recipientEmail.toLowerCase(),
    ciphertext,
    oneTime: input.oneTime,
    status: 'active',
    expiresAt: new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString(),
    createdAt: now.toISOString(),
    views: 0,
    sends: 0,
  };
  await deps.links.create(link);
  const url = `${deps.webBaseUrl.replace(/\/+$/, '')}/s/${link.id}#${base64url.encode(key)}`;
  key.fill(0);
  deps.security.record({
    event: 'share.created',
    outcome: 'success',
    userId: caller.id,
    reason: `link:${input.resource.type}:${input.resource.id}`,
  });
  return { link, url };
}

async function liveLink(linkId: string, deps: ShareLinkDeps): Promise<ShareLink> {
  const link = await deps.links.get(linkId);
  if (!isLive(link, deps.clock.now())) throw new ShareLinkInvalidError();
  return link;
}

/** What the recipient's page shows before any code: who shared, to whom (masked), until when. */
export async function describeShareLink(linkId: string, deps: ShareLinkDeps) {
  const link = await liveLink(linkId, deps);
  return {
    id: link.id,
    sharedBy: link.ownerName,
    recipient: maskRecipient(link.recipientEmail),
    resourceType: link.resource.type,
    expiresAt: link.expiresAt,
    oneTime: link.oneTime,
  };
}

/** Emails a 6-digit code to the link's recipient only; cooldown, per-link and per-IP caps. */
export async function sendShareCode(
  linkId: string,
  ip: string,
  deps: ShareLinkDeps,
): Promise<{ expiresAt: string }> {
  const rules = rulesOf(deps);
  const now = deps.clock.now();
  const nextHour = Math.ceil((now.getTime() + 1) / 3_600_000) * 3600;
  if (!(await deps.links.countIp(ip, now, rules.maxSendsPerIpPerHour)))
    throw new ShareCodeLimitError(Math.max(1, nextHour - Math.floor(now.getTime() / 1000)));
  const link = await liveLink(linkId, deps);
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(now.getTime() + rules.codeTtlSeconds * 1000).toISOString();
  const hmac = await deps.hmac.digest(shareCodeInput(link.id, code));
  // The email (sealed: the code is in it) is written with the code's HMAC, in one transaction.
  const mail = await deps.mailOutbox.event({
    to: link.recipientEmail,
    subject: `Your Latchkey verification code`,
    text: `${link.ownerName} shared something with you on Latchkey. Your verification code is ${code}. It expires in ${Math.round(rules.codeTtlSeconds / 60)} minutes.\n\nIf you did not expect this, ignore this email.`,
  });
  const stored = await deps.links.storeCode(
    link.id,
    { hmac, expiresAt },
    now,
    { cooldownSeconds: rules.cooldownSeconds, maxSends: rules.maxSendsPerLink },
    [mail],
  );
  if (stored === 'conflict') {
    const current = await liveLink(linkId, deps);
    if ((current.sends ?? 0) >= rules.maxSendsPerLink) throw new ShareCodeLimitError(3600);
    const since = current.codeSentAt ? (now.getTime() - Date.parse(current.codeSentAt)) / 1000 : 0;
    throw new ShareCodeTooSoonError(Math.max(1, Math.ceil(rules.cooldownSeconds - since)));
  }
  deps.security.record({
    event: 'share.code_issued',
    outcome: 'success',
    userId: link.ownerId,
    reason: link.id,
  });
  return { expiresAt };
}

/** Verifies the code and hands out the ciphertext; the owner is told by email. */
export async function openShareLink(
  linkId: string,
  input: { code: string; ip: string; userAgent: string },
  deps: ShareLinkDeps,
): Promise<{ ciphertext: string }> {
  const rules = rulesOf(deps);
  const now = deps.clock.now();
  const link = await liveLink(linkId, deps);
  const hmac = await deps.hmac.digest(shareCodeInput(link.id, input.code));
  const usable =
    link.codeHmac !== undefined &&
    link.codeExpiresAt !== undefined &&
    link.codeExpiresAt > now.toISOString() &&
    (link.codeAttempts ?? 0) < rules.maxAttempts;
  const audit = (outcome: 'success' | 'failure', reason: string) =>
    deps.security.record({
      event: 'share.opened',
      outcome,
      userId: link.ownerId,
      reason: `${link.id}:${reason}`,
    });
  if (!usable || !digestsEqual(hmac, link.codeHmac as string)) {
    if (usable) await deps.links.recordFailure(link.id, rules.maxAttempts);
    audit('failure', usable ? 'wrong_code' : 'no_usable_code');
    throw new ShareCodeInvalidError();
  }
  const view = { at: now.toISOString(), ip: input.ip, userAgent: input.userAgent.slice(0, 256) };
  if (
    (await deps.links.consume(link, hmac, view, now, rules.maxAttempts)) === 'conflict' ||
    !link.ciphertext
  ) {
    audit('failure', 'lost_race');
    // Another open consumed the code (or, for a one-time link, the link) first.
    await liveLink(linkId, deps);
    throw new ShareCodeInvalidError();
  }
  audit('success', link.oneTime ? 'one_time' : 'multi');
  // The open has committed: a failed notification must not fail it (the security event records it).
  await deps.mailer
    .send({
      to: (await deps.ownerEmail(link.ownerId)) ?? '',
      subject: 'Your Latchkey share link was opened',
      text: `The link you shared with ${maskRecipient(link.recipientEmail)} was opened at ${view.at}.${link.oneTime ? ' It was a one-time link and no longer works.' : ''}`,
    })
    .catch(() => undefined);
  await deps.notifier
    ?.notify('share_link_opened', [link.ownerId], { linkId: link.id })
    .catch(() => undefined);
  return { ciphertext: link.ciphertext };
}

/** The caller's links, newest first, a page at a time (sealed cursor), each with its views. */
export async function listShareLinks(
  caller: User,
  page: { limit: number; cursor?: string | undefined },
  deps: ShareLinkDeps,
) {
  const found = await pageFor(
    (cursor) => deps.links.listByOwner(caller.id, { limit: page.limit, cursor }),
    page.cursor,
    { list: 'share-links', callerId: caller.id },
    deps.hmac,
  );
  const items = await Promise.all(
    found.items.map(async (link) => ({ link, views: await deps.links.views(link.id) })),
  );
  return { items, nextCursor: found.nextCursor };
}

export async function revokeShareLink(caller: User, linkId: string, deps: ShareLinkDeps): Promise<void> {
  const link = await deps.links.get(linkId);
  if (!link || link.ownerId !== caller.id || link.workspaceId !== caller.workspaceId)
    throw new NotFoundError('No such link.');
  await deps.links.revoke(linkId, caller.id);
  deps.security.record({ event: 'share.removed', outcome: 'success', userId: caller.id, reason: linkId });
}
