import type { WorkspaceRole } from '../users/model';

export const ACCOUNT_ROLES = ['owner', 'collaborator'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** What the third-party app supports, as the owner recorded it. */
export interface Capabilities {
  managedPhone: boolean;
  acceptsVoip: boolean;
  managedEmail: boolean;
}

export const DEFAULT_CAPABILITIES: Capabilities = {
  managedPhone: true,
  acceptsVoip: true,
  managedEmail: true,
};

/** An envelope-encrypted secret: AES-256-GCM under a data key that only KMS (or the local key) can open. */
export interface EncryptedSecret {
  v: 1;
  /** The data key, encrypted under the secrets key (base64). */
  edk: string;
  iv: string;
  tag: string;
  ct: string;
}

export const TOTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

export interface TotpConfig {
  seed: EncryptedSecret;
  digits: 6 | 7 | 8;
  period: number;
  algorithm: TotpAlgorithm;
}

export interface Account {
  id: string;
  workspaceId: string;
  appName: string;
  /** A catalogue app (`GET /v1/apps`): its capabilities then win over `capabilities`. */
  appId?: string;
  loginUrl?: string;
  username: string;
  password: EncryptedSecret;
  /** The version `password` is (absent on accounts from before versions: 1). */
  passwordVersion?: number;
  /** Set while a rotation or an MFA enrolment runs: one at a time per account. */
  activeRotation?: { id: string; kind: 'password' | 'mfa'; startedAt: string; changingSince?: string };
  /** The last rotation that ended (milestone 5 needs it to have succeeded). */
  lastRotation?: { id: string; status: 'succeeded' | 'failed'; at: string };
  /** Whether the account's rotation policy rotates it (on a schedule or after logins). */
  rotates?: boolean;
  capabilities: Capabilities;
  ownerCount: number;
  phoneNumber?: string;
  emailAddress?: string;
  totp?: TotpConfig;
  /** `grantId` when the login used a Latchkey login grant (the stored credentials themselves). */
  lastLoginResult?: { success: boolean; at: string; grantId?: string };
  /** When a verification code last arrived in the shared inbox (evidence the app's MFA uses it). */
  lastCodeReceivedAt?: string;
  /** `sanitized` once control or bidi characters were removed from the app name or username. */
  flags?: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Membership {
  accountId: string;
  userId: string;
  role: AccountRole;
  addedAt: string;
}

/** Guests and login-only users can only ever be collaborators; they cannot create accounts either. */
export function mayOwnAccounts(role: WorkspaceRole): boolean {
  return role !== 'guest' && role !== 'login_only';
}

export interface InboxMessage {
  id: string;
  accountId: string;
  channel: 'sms' | 'email';
  from: string;
  to: string;
  subject?: string;
  receivedAt: string;
  text: string;
  code: string | null;
  kind: string | null;
  confidence: number;
  links: { url: string; host: string }[];
  flags: string[];
}

export const INBOX_DEFAULT_RETENTION_DAYS = 30;
/** Stored message text is capped; the extraction engine reads at most 64 KB anyway. */
export const INBOX_TEXT_LIMIT = 16 * 1024;
/** Stored subjects: RFC 5322's line limit. Longer ones are cut and the message flagged `truncated`. */
export const INBOX_SUBJECT_LIMIT = 998;
/** Stored senders: an address (254) with a display name. */
export const INBOX_FROM_LIMIT = 320;
