import type { Device, DeviceCode } from './domain/devices/model';
import type { CallerIdentity, User, Workspace, WorkspaceRole } from './domain/users/model';

/** The ports use cases depend on. Production passes adapters, tests pass fakes. */

export interface Clock {
  now(): Date;
}

export type IdGenerator = (prefix: string) => string;

export interface ProvisionUserInput {
  identity: CallerIdentity;
  userId: string;
  /** Used only when the workspace does not exist yet and this call creates it. */
  newWorkspaceId: string;
  /** Role when joining an existing workspace. The creator of a new workspace is always its owner. */
  role: WorkspaceRole;
  now: Date;
}

export interface ProvisionUserResult {
  user: User;
  workspace: Workspace;
  /** False when a concurrent call (or an earlier one) had already provisioned this identity. */
  created: boolean;
}

export interface UserRepository {
  /** The user an IdP identity maps to. The mapping never changes once written. */
  findUserIdByIdentity(issuer: string, subject: string): Promise<string | undefined>;
  getUser(userId: string): Promise<User | undefined>;
  /** Creates the user (and the workspace when it is new) atomically; safe under concurrent calls. */
  provision(input: ProvisionUserInput): Promise<ProvisionUserResult>;
  /** Renames an active user; throws UserDeprovisionedError when the user is no longer active. */
  updateName(userId: string, name: string, now: Date): Promise<User>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** HMAC-SHA-256 under the server key (KMS-derived in AWS, a local key in the local runtime); hex out. */
export interface Hmac {
  digest(message: string): Promise<string>;
}

/** Outcome of a conditional write: applied, or refused because the item no longer matched. */
export type WriteOutcome = 'applied' | 'conflict';

export type ResendOutcome = 'applied' | 'conflict' | 'hourly_cap';

export interface DeviceRepository {
  listDevices(userId: string): Promise<Device[]>;
  getDevice(userId: string, deviceId: string): Promise<Device | undefined>;
  /** Claims a slot (at most `maxDevices` held) and the name, and writes the device, atomically. */
  create(device: Device, maxDevices: number): Promise<'applied' | 'limit_reached' | 'name_taken'>;
  /** Trusts a device whose code hash, attempt count and expiry still match what was read. */
  trustWithCode(device: Device, maxAttempts: number, now: Date): Promise<WriteOutcome>;
  /** Counts one wrong code, unless the code changed or is already dead. Returns attempts after. */
  recordWrongCode(device: Device, maxAttempts: number, now: Date): Promise<number | 'conflict'>;
  /** Replaces the code if the cooldown has passed and the user's hourly cap allows. */
  replaceCode(
    device: Device,
    code: DeviceCode,
    limits: { cooldownSeconds: number; hourlyCap: number },
    now: Date,
  ): Promise<ResendOutcome>;
  approve(device: Device, now: Date): Promise<WriteOutcome>;
  /** Moves a device out of the slot-holding statuses (denied, disabled, expired), freeing slot and name. */
  retire(device: Device, status: 'denied' | 'disabled' | 'expired', now: Date): Promise<WriteOutcome>;
  rename(device: Device, name: string, now: Date): Promise<WriteOutcome | 'name_taken'>;
  touch(device: Device, now: Date): Promise<void>;
  /** Deprovisions the user and disables every device that holds a slot, in one transaction. */
  deprovisionUser(user: User, devices: Device[], now: Date): Promise<WriteOutcome>;
  /** Consecutive wrong codes of the user, counting only if the last one came after `since`. */
  consecutiveCodeFailures(userId: string, since: Date): Promise<number>;
  /** Counts one more wrong code; a run whose last failure is before `since` starts again at 1. */
  recordCodeFailure(userId: string, now: Date, since: Date): Promise<void>;
  resetCodeFailures(userId: string): Promise<void>;
}

export const NOTIFICATION_TYPES = [
  'identity_verification_request',
  'trusted_device_request',
  'account_shared',
  'otp_code_received',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Push notifications to users' trusted mobile devices; payloads carry ids, never secrets. */
export interface Notifier {
  notify(type: NotificationType, recipientUserIds: string[], payload: Record<string, string>): Promise<void>;
}

export interface SecurityEvent {
  event: string;
  outcome: 'success' | 'failure';
  reason?: string;
  userId: string;
  deviceId?: string;
  actorUserId?: string;
  actorDeviceId?: string;
}

/** Structured security events (ASVS 16.3): outcome and reason, never a code, token or credential. */
export interface SecurityLog {
  record(event: SecurityEvent): void;
}
