/** Trusted devices: one per client instance (a browser's web app, a browser's extension, a phone's app). */

export const CLIENT_TYPES = ['web', 'extension', 'mobile'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

export const DEVICE_STATUSES = [
  'pending_verification',
  'pending_approval',
  'trusted',
  'denied',
  'disabled',
  'expired',
] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export type VerificationMethod = 'email_code' | 'approval';

/** Rules and limits (SECURITY.md "One-time codes"). Seconds unless named otherwise. */
export const DEVICE_RULES = {
  maxDevicesPerUser: 20,
  codeLifetimeSeconds: 5 * 60,
  maxCodeAttempts: 5,
  resendCooldownSeconds: 60,
  resendsPerUserPerHour: 5,
  /** Consecutive wrong codes across all of a user's devices before every code is refused. */
  userFailureBudget: 100,
  /** How long the user lockout lasts after the last wrong code. */
  userLockoutSeconds: 24 * 60 * 60,
  approvalLifetimeSeconds: 15 * 60,
  /** Approval requests (pushes to the user's phone) waiting at once, per user (push fatigue). */
  maxPendingApprovals: 3,
  /** Approval requests per user per clock hour, whatever became of them. */
  approvalsPerUserPerHour: 6,
  /** How long "deny and report" blocks new approval requests of the user. */
  approvalReportBlockSeconds: 60 * 60,
  /** A device still waiting for its code after this long is expired and frees its slot. */
  pendingVerificationLifetimeSeconds: 24 * 60 * 60,
  /** Denied, disabled and expired devices stay listed this long, then TTL removes them. */
  historyRetentionSeconds: 30 * 24 * 60 * 60,
  /** lastSeenAt is written at most this often per device (one write, not one per request). */
  lastSeenResolutionSeconds: 5 * 60,
  maxNameLength: 100,
} as const;

export type DeviceRules = { [K in keyof typeof DEVICE_RULES]: number };

export const PUSH_PLATFORMS = ['APNS', 'APNS_SANDBOX', 'FCM'] as const;
export type PushPlatform = (typeof PUSH_PLATFORMS)[number];

/** A mobile device's push registration. The token itself stays with SNS; only its hash is kept. */
export interface PushRegistration {
  platform: PushPlatform;
  tokenHash: string;
  /** Absent when the platform has no SNS application configured (pushes are undeliverable). */
  endpointArn?: string;
  active: boolean;
  updatedAt: string;
}

/** What the push fan-out needs of a device to target it. */
export interface PushDevice {
  id: string;
  clientType: ClientType;
  status: DeviceStatus;
  pendingUntil?: string;
  push?: Pick<PushRegistration, 'platform' | 'endpointArn' | 'active'>;
}

export interface DeviceCode {
  hash: string;
  expiresAt: string;
  attempts: number;
  sentAt: string;
}

export interface Device {
  id: string;
  userId: string;
  workspaceId: string;
  clientType: ClientType;
  os: string;
  browser?: string;
  /** What the client calls its hardware ("MacBook", "Pixel 9"), if it said. */
  model?: string;
  name: string;
  status: DeviceStatus;
  verificationMethod: VerificationMethod;
  credentialHash: string;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string;
  trustedAt?: string;
  /** When a pending device stops waiting (approval window, or the pending-verification lifetime). */
  pendingUntil?: string;
  code?: DeviceCode;
  push?: PushRegistration;
  /** Approval requests: the number the new device shows, and the three the approver picks from. */
  numberToMatch?: string;
  candidates?: string[];
  /** Which of the user's pending-approval lanes this request holds (see maxPendingApprovals). */
  approvalLane?: number;
  /** Set when what the client sent was changed before storing (e.g. `sanitized`). */
  flags?: string[];
  /** The device's P-256 public key (ECDH): login grants are encrypted to it. The private key never leaves the device. */
  publicKey?: DevicePublicKey;
}

/** A P-256 public key as a JWK, reduced to the members that define it. */
export interface DevicePublicKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  /** RFC 7638 SHA-256 thumbprint: what a person compares, and what a grant names. */
  thumbprint: string;
  setAt: string;
}

/** Statuses that hold one of the user's 20 slots and a name. */
export function holdsSlot(status: DeviceStatus): boolean {
  return status === 'pending_verification' || status === 'pending_approval' || status === 'trusted';
}

export function isPending(status: DeviceStatus): boolean {
  return status === 'pending_verification' || status === 'pending_approval';
}

/** The status as of `now`: a pending device past its window is expired even before anyone writes it. */
export function effectiveStatus(device: Pick<Device, 'status' | 'pendingUntil'>, now: Date): DeviceStatus {
  if (isPending(device.status) && device.pendingUntil && device.pendingUntil <= now.toISOString())
    return 'expired';
  return device.status;
}

/** Case-insensitive, whitespace-folded key under which a name is unique per user. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * `[username][device name] - [operating system]/[browser]`, e.g. `alice MacBook - macOS/Chrome`:
 * the email's local part, the client's hardware name when it gave one, then OS and browser.
 */
export function defaultDeviceName(input: {
  email: string;
  os: string;
  browser?: string;
  model?: string;
}): string {
  const username = input.email.split('@')[0] ?? input.email;
  const who = input.model ? `${username} ${input.model}` : username;
  const platform = input.browser ? `${input.os}/${input.browser}` : input.os;
  return `${who} - ${platform}`.slice(0, DEVICE_RULES.maxNameLength);
}

/** `base`, then `base (2)`, `base (3)`... kept within the name length limit. */
export function nameCandidate(base: string, attempt: number): string {
  if (attempt <= 1) return base;
  const suffix = ` (${attempt})`;
  return `${base.slice(0, DEVICE_RULES.maxNameLength - suffix.length)}${suffix}`;
}

/**
 * Extensions are always onboarded by email code; so is a user with no trusted web or mobile session
 * to approve from, or one who says they cannot reach it. Everyone else waits for an approval.
 */
export function verificationMethodFor(input: {
  clientType: ClientType;
  noTrustedDeviceAtHand: boolean;
  approvers: number;
}): VerificationMethod {
  if (input.clientType === 'extension' || input.noTrustedDeviceAtHand || input.approvers === 0)
    return 'email_code';
  return 'approval';
}

/** Trusted web and mobile sessions can approve a new device; extensions cannot. */
export function canApprove(device: Device, now: Date): boolean {
  return device.clientType !== 'extension' && effectiveStatus(device, now) === 'trusted';
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
