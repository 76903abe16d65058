import { randomBytes } from 'node:crypto';
import { CONFIRMATION_METHODS, type ConfirmationMethod } from './methods';

export { CONFIRMATION_METHODS, type ConfirmationMethod };

/** Identity confirmation: challenges, their limits, and the workspace settings. */

export const CHALLENGE_STATUSES = ['pending', 'approved', 'denied', 'expired'] as const;
export type ChallengeStatus = (typeof CHALLENGE_STATUSES)[number];
/** What is stored; `expired` is computed from `expiresAt`, never written. */
export type StoredChallengeStatus = Exclude<ChallengeStatus, 'expired'>;

/** Limits (SECURITY.md "Push approvals", "Tokens and links"). Seconds unless named otherwise. */
export const IDENTITY_RULES = {
  pushLifetimeSeconds: 2 * 60,
  maxPushesPerChallenge: 3,
  challengesPerUserPerHour: 10,
  linkLifetimeSeconds: 10 * 60,
  maxEmailsPerChallenge: 3,
  /** How long push confirmation stays blocked for a user after "deny and report". */
  reportBlockSeconds: 60 * 60,
  /** Decided challenges stay readable this long, then TTL removes them. */
  historyRetentionSeconds: 24 * 60 * 60,
} as const;
export type IdentityRules = { [K in keyof typeof IDENTITY_RULES]: number };

export interface IdentitySettings {
  methods: ConfirmationMethod[];
  default: ConfirmationMethod;
  reuseWindowSeconds: number;
  confirmSecretViews: boolean;
}

export const DEFAULT_IDENTITY_SETTINGS: IdentitySettings = {
  methods: ['push'],
  default: 'push',
  reuseWindowSeconds: 300,
  confirmSecretViews: false,
};
export const REUSE_WINDOW_BOUNDS = { min: 30, max: 3600 } as const;

/** What the approver sees of the device that asked. */
export interface Requester {
  deviceName: string;
  clientType: string;
  os: string;
  browser?: string;
  ip?: string;
}

export interface Challenge {
  id: string;
  userId: string;
  workspaceId: string;
  /** The requesting device: only it can use the approval. */
  deviceId: string;
  action: string;
  resource: string;
  status: StoredChallengeStatus;
  /** Why it was denied: `denied`, `reported`, `wrong_number`, `cancelled`. */
  reason?: string;
  methods: ConfirmationMethod[];
  requester: Requester;
  /** Shown on the requesting screen; one of `candidates`, which the phone shows. */
  numberToMatch?: string;
  candidates?: string[];
  pushesSent: number;
  /** Push answers are accepted until then (2 minutes after the first push). */
  pushExpiresAt?: string;
  emailsSent: number;
  /** The current magic link's HMAC: a newer email replaces it, so one link at most is live. */
  linkHash?: string;
  linkExpiresAt?: string;
  createdAt: string;
  /** The challenge can be answered by some method until then. */
  expiresAt: string;
  decidedAt?: string;
  /** The approving or denying device id, or `magic_link`. */
  decidedBy?: string;
  /** An approved challenge confirms retries until then (the workspace reuse window). */
  usableUntil?: string;
}

export interface MagicLink {
  hash: string;
  userId: string;
  challengeId: string;
  expiresAt: string;
  usedAt?: string;
}

export function statusOf(challenge: Challenge, now: Date): ChallengeStatus {
  if (challenge.status === 'pending' && challenge.expiresAt <= now.toISOString()) return 'expired';
  return challenge.status;
}

/** Push answers are live: pending, a push went out, and its two minutes are not over. */
export function pushIsLive(challenge: Challenge, now: Date): boolean {
  return (
    statusOf(challenge, now) === 'pending' &&
    challenge.methods.includes('push') &&
    challenge.pushExpiresAt !== undefined &&
    challenge.pushExpiresAt > now.toISOString()
  );
}

export { newNumberChallenge, sameNumber } from '../devices/secrets';

/** 256 random bits, URL-safe: magic-link tokens and SCIM token secrets. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Makes a leaked SCIM token findable by secret scanners; tokens issued before it have no prefix. */
export const SCIM_TOKEN_PREFIX = 'lksc_';

/** What each HMAC covers, so a value is useless anywhere else. */
export const identityHmacInput = {
  magicLink: (token: string) => `identity-magic-link\n${token}`,
  scimToken: (workspaceId: string, secret: string) => `scim-token\n${workspaceId}\n${secret}`,
};

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

export function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}
