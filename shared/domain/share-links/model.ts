export const SHARE_RESOURCE_TYPES = ['account', 'secret'] as const;
export type ShareResourceType = (typeof SHARE_RESOURCE_TYPES)[number];

export interface ShareResource {
  type: ShareResourceType;
  id: string;
}

/** Defaults from SECURITY.md (one-time codes); tests override them. */
export const SHARE_LINK_RULES = {
  codeTtlSeconds: 300,
  maxAttempts: 5,
  cooldownSeconds: 60,
  /** Codes one link may send in its whole life: nobody floods the recipient's inbox. */
  maxSendsPerLink: 5,
  /** Verification requests one IP may make per hour, across links. */
  maxSendsPerIpPerHour: 20,
  minLifetimeSeconds: 300,
  maxLifetimeSeconds: 2_592_000,
};
export type ShareLinkRules = typeof SHARE_LINK_RULES;

export type ShareLinkStatus = 'active' | 'used' | 'revoked';

export interface ShareLink {
  id: string;
  workspaceId: string;
  ownerId: string;
  ownerName: string;
  resource: ShareResource;
  recipientEmail: string;
  /** Compact JWE (dir, A256GCM) under a key only the URL fragment holds; removed once used or revoked. */
  ciphertext?: string;
  oneTime: boolean;
  status: ShareLinkStatus;
  expiresAt: string;
  createdAt: string;
  views: number;
  /** The current verification code, as HMAC; absent once consumed. */
  codeHmac?: string;
  codeExpiresAt?: string;
  codeAttempts?: number;
  codeSentAt?: string;
  sends?: number;
}

export interface ShareLinkView {
  at: string;
  ip: string;
  userAgent: string;
}

/** A link a recipient may still use: anything else is `link_invalid`, whatever the reason. */
export function isLive(link: ShareLink | undefined, now: Date): link is ShareLink {
  return link !== undefined && link.status === 'active' && link.expiresAt > now.toISOString();
}

/** `alice@example.com` -> `a***@example.com`: enough for the recipient to recognise, not to harvest. */
export function maskRecipient(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/** What the code's HMAC covers: purpose and link, so a code is useless for anything else. */
export const shareCodeInput = (linkId: string, code: string) => `share-link-code\n${linkId}\n${code}`;
