import type {
  Account,
  AccountRole,
  EncryptedSecret,
  InboxMessage,
  Membership,
  TotpConfig,
} from './accounts/model';
import type {
  Device,
  DeviceCode,
  DevicePublicKey,
  PushDevice,
  PushPlatform,
  PushRegistration,
} from './devices/model';
import type { DomainEvent } from './events';
import type { LoginGrant } from './logins/model';
import type { NotificationType } from './notifications/catalogue';
import type { StoredPreferences, StoredWorkspaceSettings } from './notifications/policy';
import type { CallerIdentity, User, Workspace, WorkspaceRole } from './users/model';

/** The ports use cases depend on. Production passes adapters, tests pass fakes. */

export interface Clock {
  now(): Date;
}

export type IdGenerator = (prefix: string) => string;

export interface ProvisionUserInput {
  identity: CallerIdentity;
  userId: string;
  /**
   * Only fixtures and the seed pass it: the workspace is created (without directory settings, like a
   * workspace from before bootstrap) when it does not exist. Sign-in never does: a missing workspace
   * is NotProvisionedError.
   */
  newWorkspaceId?: string;
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
  /** The workspace an IdP workspace claim names (case-insensitively), if it was ever created. */
  findWorkspaceByName(name: string): Promise<Workspace | undefined>;
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

/**
 * An email that goes out when, and only when, a write commits: the use case asks for its outbox event
 * and passes it to the repository write, which puts it in the same transaction. The relay sends it
 * after commit, at least once (nothing in the request can fail after the write).
 */
export interface MailOutbox {
  event(email: OutgoingEmail): Promise<DomainEvent>;
}

/** Per-user, per-purpose email counts in fixed clock hours: one conditional write per email. */
export interface EmailQuota {
  /** Counts one more email unless `cap` are already counted in `hour` (epoch hours). */
  take(userId: string, purpose: string, cap: number, hour: number): Promise<boolean>;
  /** Gives back one email counted in `hour` (never below zero): the write it was for was refused. */
  release(userId: string, purpose: string, hour: number): Promise<void>;
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
  /**
   * Claims a slot (at most `maxDevices` held) and the name, and writes the device, atomically. With
   * `approval`, the same transaction also takes the device's approval lane, counts the request in the
   * user's hourly window and checks no report block is on.
   */
  create(
    device: Device,
    maxDevices: number,
    approval?: { hourlyCap: number; now: Date },
    /** Outbox events written in the same transaction (the verification code's email). */
    events?: DomainEvent[],
  ): Promise<
    'applied' | 'limit_reached' | 'name_taken' | 'lane_taken' | 'approval_hourly_cap' | 'approvals_blocked'
  >;
  /** Who holds each of the user's pending-approval lanes, and until when. */
  approvalLanes(userId: string): Promise<Array<{ lane: number; deviceId: string; until: string }>>;
  approvalsBlockedUntil(userId: string): Promise<string | undefined>;
  /** After "deny and report": no approval request until `until` (only ever extended). */
  blockApprovals(userId: string, until: string): Promise<void>;
  /** A pending-approval device moves to an emailed code, keeping its name and slot, under the send cap. */
  switchToCode(
    device: Device,
    code: DeviceCode,
    pendingUntil: string,
    limits: { hourlyCap: number },
    now: Date,
    /** Outbox events written in the same transaction (the new code's email). */
    events?: DomainEvent[],
  ): Promise<ResendOutcome>;
  /** Trusts a device whose code hash, attempt count and expiry still match, unless the user is locked out. */
  trustWithCode(
    device: Device,
    maxAttempts: number,
    now: Date,
    userBudget: { budget: number; since: Date },
  ): Promise<WriteOutcome | 'locked_out'>;
  /** Counts one wrong code, unless the code changed or is already dead. Returns attempts after. */
  recordWrongCode(device: Device, maxAttempts: number, now: Date): Promise<number | 'conflict'>;
  /** Replaces the code if the cooldown has passed and the user's hourly cap allows. */
  replaceCode(
    device: Device,
    code: DeviceCode,
    limits: { cooldownSeconds: number; hourlyCap: number },
    now: Date,
    /** Outbox events written in the same transaction (the new code's email). */
    events?: DomainEvent[],
  ): Promise<ResendOutcome>;
  approve(device: Device, now: Date): Promise<WriteOutcome>;
  /** Moves a device out of the slot-holding statuses (denied, disabled, expired), freeing slot and name. */
  retire(
    device: Device,
    status: 'denied' | 'disabled' | 'expired',
    now: Date,
    /** Outbox events written in the same transaction (the push endpoint's clean-up). */
    events?: DomainEvent[],
  ): Promise<WriteOutcome>;
  /** `flags` replaces the device's flags when given (a sanitized name adds `sanitized`). */
  rename(device: Device, name: string, now: Date, flags?: string[]): Promise<WriteOutcome | 'name_taken'>;
  touch(device: Device, now: Date): Promise<void>;
  /**
   * Deprovisions the user and disables every device that holds a slot, in one transaction, with the
   * given outbox events (`user.deprovisioned`, the push endpoints' clean-up). With `keepOwnerId`, the
   * same transaction checks that this other user is still an active owner of the workspace (the API
   * never removes the last owner, even when two removals race).
   */
  deprovisionUser(
    user: User,
    devices: Device[],
    now: Date,
    events?: DomainEvent[],
    keepOwnerId?: string,
  ): Promise<WriteOutcome>;
  /**
   * Disables these devices of a user (still active) in one transaction with the outbox events: every
   * session ends, and each client must register and be trusted again (universal logout).
   */
  disableAll(userId: string, devices: Device[], now: Date, events?: DomainEvent[]): Promise<WriteOutcome>;
  /**
   * Counts one wrong code against the user's consecutive-failure budget in one conditional write:
   * false when the budget is already spent (a run whose last failure is after `since`). A run older
   * than that restarts at one.
   */
  recordCodeFailure(userId: string, budget: number, now: Date, since: Date): Promise<boolean>;
  /** A correct code ends the run of failures. */
  resetCodeFailures(userId: string): Promise<void>;
  /** Stores the push registration of a device that is still trusted. */
  setPush(device: Device, push: PushRegistration, now: Date): Promise<WriteOutcome>;
  /** Records `owner` as the holder of a push token; returns the previous holder, if any. */
  claimPushToken(
    tokenHash: string,
    owner: { userId: string; deviceId: string },
  ): Promise<{ userId: string; deviceId: string } | undefined>;
  /** The current holder of a push token (an endpoint is deleted only by the device that owns it). */
  pushTokenOwner(tokenHash: string): Promise<{ userId: string; deviceId: string } | undefined>;
  /** The token moved to another device: this one's registration goes inactive and drops the endpoint. */
  releasePushToken(userId: string, deviceId: string, tokenHash: string): Promise<void>;
  /** SNS disabled or lost the endpoint: stop targeting it until the app registers again. */
  markPushInactive(userId: string, deviceId: string, endpointArn: string, reason: string): Promise<void>;
  /**
   * Each user's devices that hold a push registration while trusted (the fan-out's targets before
   * exclusions), read for many users in batched reads; users with none map to an empty list.
   */
  pushDevices(userIds: string[]): Promise<Map<string, PushDevice[]>>;
  /** Sets or replaces the key of a device that is still trusted. */
  setPublicKey(device: Device, key: DevicePublicKey, now: Date): Promise<WriteOutcome>;
}

/** Device public keys (JWK) and sealing to them (compact JWE, ECDH-ES + A256GCM). */
export interface DeviceKeyCodec {
  /** A P-256 public key with its point on the curve and no private part, reduced to x and y; else throws. */
  parsePublicKey(jwk: Record<string, unknown>, now: Date): Promise<DevicePublicKey>;
  /** A compact JWE only the holder of the key's private half opens. */
  seal(key: DevicePublicKey, payload: Record<string, unknown>): Promise<string>;
}

export type GrantCreateOutcome = 'applied' | 'user_cap' | 'account_cap';

export interface LoginGrantRepository {
  /**
   * Writes the grant and counts it in the user's and the account's hourly windows (`hour`: epoch
   * hours), in one transaction: refused, with nothing written, when either window is full.
   */
  create(
    grant: LoginGrant,
    limits: { perUser: number; perAccount: number; hour: number },
    retentionSeconds: number,
  ): Promise<GrantCreateOutcome>;
  get(grantId: string): Promise<LoginGrant | undefined>;
  /**
   * Records that the user used `network` now, in one write, and says when they last used it before
   * (undefined: never) and whether they had used any network before this one.
   */
  recordNetwork(
    userId: string,
    network: string,
    now: Date,
    memorySeconds: number,
  ): Promise<{ lastUsedAt: string | undefined; firstNetwork: boolean }>;
  /** Gives an inbox message's code to one grant, first come: true when it is this grant's (now or before). */
  claimCode(accountId: string, messageId: string, grantId: string, expiresAt: Date): Promise<boolean>;
  /** "Not me", once per grant. */
  markReported(grantId: string, now: Date): Promise<WriteOutcome>;
}

/** Push notifications to users' trusted mobile devices; payloads carry ids, never secrets. */
export interface NotifyOptions {
  /** Devices that get no push for this one (the device that asked for an identity confirmation). */
  excludeDeviceIds?: string[];
  /** False for a push the person explicitly asked for again (an identity challenge's "resend"). */
  coalesce?: boolean;
  /**
   * The inbound message (by stored id) this notification announces: its deduplication claim is marked
   * notified in the same write as the notifications, so a replay never announces it twice.
   */
  inboundMessageId?: string;
}

/** At most one push per (recipient, type, subject) per window: one conditional write. */
export interface PushCoalescer {
  /** True when no window is open for this subject (and opens one until `until`). */
  claim(userId: string, subject: string, until: Date, now: Date): Promise<boolean>;
  /** `claim` for many users at once (batched writes): the users whose window was open. */
  claimMany(userIds: string[], subject: string, until: Date, now: Date): Promise<Set<string>>;
}

export interface Notifier {
  notify(
    type: NotificationType,
    recipientUserIds: string[],
    payload: Record<string, string>,
    options?: NotifyOptions,
  ): Promise<void>;
}

export interface SecurityEvent {
  event: string;
  outcome: 'success' | 'failure';
  reason?: string;
  userId: string;
  deviceId?: string;
  actorUserId?: string;
  actorDeviceId?: string;
  /** The caller's source address, for events that record where something was asked from. */
  ip?: string;
}

/** Structured security events (ASVS 16.3): outcome and reason, never a code, token or credential. */
export interface SecurityLog {
  record(event: SecurityEvent): void;
}

/** A recipient as `notify` needs them: the user (absent when unknown) and their stored preferences. */
export interface NotificationRecipient {
  user?: User;
  preferences: StoredPreferences;
}

export interface NotificationSettingsRepository {
  /** Users and their preferences in batched reads (BatchGetItem), not two reads per recipient. */
  recipients(userIds: string[]): Promise<Map<string, NotificationRecipient>>;
  getWorkspaceSettings(workspaceId: string): Promise<StoredWorkspaceSettings>;
  updateWorkspaceSettings(
    workspaceId: string,
    changes: StoredWorkspaceSettings,
    now: Date,
  ): Promise<StoredWorkspaceSettings>;
  getPreferences(userId: string): Promise<StoredPreferences>;
  updatePreferences(userId: string, changes: StoredPreferences, now: Date): Promise<StoredPreferences>;
}

export interface NotificationRecord {
  id: string;
  userId: string;
  type: NotificationType;
  title: string;
  body: string;
  data: Record<string, string>;
  createdAt: string;
}

export interface NotificationInbox {
  record(notification: NotificationRecord, retentionSeconds: number): Promise<void>;
  /**
   * Records notifications and queues their push jobs (outbox) in batched transactions. With
   * `inboundMessageId`, that message's claim is marked notified in the last one: `already_notified`
   * (and nothing of that transaction written) when a replay got there first.
   */
  commit(batch: {
    records: NotificationRecord[];
    jobs: PushJob[];
    retentionSeconds: number;
    inboundMessageId?: string | undefined;
  }): Promise<'committed' | 'already_notified'>;
  /** Newest first, only those created after `since`; the cursor is opaque to clients. */
  list(
    userId: string,
    options: { limit: number; cursor?: string | undefined; since: Date },
  ): Promise<{ items: NotificationRecord[]; nextCursor: string | null }>;
}

export interface PushTarget {
  deviceId: string;
  endpointArn: string;
  platform: PushPlatform;
}

/** Work for the push fan-out function, one SQS message each. */
export type PushJob =
  | {
      kind: 'deliver';
      notificationId: string;
      userId: string;
      type: NotificationType;
      title: string;
      body: string;
      data: Record<string, string>;
      /**
       * Resolved at delivery when absent (the fan-out reads the user's devices then: no device read per
       * recipient before the fan-out starts, and a device revoked meanwhile gets nothing).
       */
      targets?: PushTarget[];
      excludeDeviceIds?: string[];
      /**
       * Every user the job delivers to, when it carries one notification to several recipients (the
       * same title, body and data): `userId` is then the first of them and `notificationId` that
       * recipient's record, the job's key in the delivery log. One claim and one completion cover the
       * group, so the log's writes grow with the jobs, not the recipients. Never with `targets`.
       */
      recipients?: string[];
    }
  | { kind: 'delete_endpoints'; userId: string; endpointArns: string[] };

export interface PushQueue {
  enqueue(jobs: PushJob[]): Promise<void>;
}

export interface PushMessage {
  type: NotificationType;
  title: string;
  body: string;
  category: string;
  data: Record<string, string>;
}

export type PublishOutcome = 'sent' | 'endpoint_disabled' | 'endpoint_missing';

/** SNS mobile push behind domain verbs. Transient failures throw; permanent ones are outcomes. */
export interface PushGateway {
  /** False when no platform application exists for it: pushes to it are recorded as undeliverable. */
  platformConfigured(platform: PushPlatform): boolean;
  createEndpoint(platform: PushPlatform, token: string, deviceId: string): Promise<string>;
  /** Points an endpoint at a new token and re-enables it. */
  updateEndpoint(endpointArn: string, token: string): Promise<'updated' | 'endpoint_missing'>;
  deleteEndpoint(endpointArn: string): Promise<void>;
  publish(endpointArn: string, message: PushMessage): Promise<PublishOutcome>;
}

/** What a worker learns when it claims a push job (one notification to its recipients' devices). */
export interface PushJobClaim {
  /** True when this caller may deliver now (never claimed, released, or its last lease ran out). */
  granted: boolean;
  /** Devices an earlier attempt already handled (sent, or found disabled): never published again. */
  delivered: string[];
  /** The claim's lease: the completion holds only while it is still the job's current claim. */
  leaseUntil: string;
}

/**
 * The push delivery log, one record per job (per notification): a claim with a lease before
 * publishing, then a completion listing the device ids handled. A redelivered job skips the devices
 * listed; a job still held by a live lease, or done, is skipped whole.
 */
export interface PushDeliveryLog {
  /** Claims the jobs (by notification id) in batched conditional writes; results in input order. */
  claimJobs(notificationIds: string[], now: Date, leaseSeconds: number): Promise<PushJobClaim[]>;
  /**
   * Records each job's devices handled so far: `done` ends the job (later claims are refused);
   * otherwise the claim is released so a retry may take it at once and skip those devices. Each write
   * holds only while this worker's claim (`leaseUntil`) is still the current one.
   */
  completeJobs(
    items: Array<{ notificationId: string; leaseUntil: string; delivered: string[]; done: boolean }>,
  ): Promise<void>;
}

/** Envelope encryption of account secrets, bound to an encryption context (account and purpose). */
export interface Keyring {
  seal(plaintext: string, context: Record<string, string>): Promise<EncryptedSecret>;
  open(secret: EncryptedSecret, context: Record<string, string>): Promise<string>;
}

export type AccountChanges = Partial<
  Pick<
    Account,
    'appName' | 'loginUrl' | 'username' | 'password' | 'capabilities' | 'lastLoginResult' | 'flags'
  >
>;

export interface AccountRepository {
  create(account: Account, owner: Membership): Promise<void>;
  get(accountId: string): Promise<Account | undefined>;
  membership(accountId: string, userId: string): Promise<Membership | undefined>;
  members(accountId: string): Promise<Membership[]>;
  /** The accounts a user is a member of, by account id, paginated. */
  accountIdsOf(
    userId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<{ ids: string[]; roles: Record<string, AccountRole>; nextCursor: string | null }>;
  getMany(accountIds: string[]): Promise<Account[]>;
  update(accountId: string, changes: AccountChanges, now: Date): Promise<Account | undefined>;
  /**
   * An owner's new password, only while `expectedVersion` is current and no rotation runs: the
   * replaced version stays in the history. `conflict` otherwise (nothing written).
   */
  replacePassword(
    account: Account,
    expectedVersion: number,
    secret: EncryptedSecret,
    by: string,
    now: Date,
  ): Promise<'applied' | 'conflict'>;
  /** Adds or changes a member; demoting the last owner is refused. */
  putMember(
    accountId: string,
    membership: Membership,
    previous: AccountRole | undefined,
  ): Promise<WriteOutcome | 'last_owner'>;
  removeMember(accountId: string, userId: string, role: AccountRole): Promise<WriteOutcome | 'last_owner'>;
  delete(account: Account): Promise<void>;
  assignPhone(
    accountId: string,
    phone: { phoneNumber: string; phoneNumberId: string },
    now: Date,
  ): Promise<WriteOutcome>;
  releasePhone(account: Account, now: Date): Promise<{ phoneNumberId: string } | undefined>;
  assignEmail(accountId: string, address: string, now: Date): Promise<WriteOutcome>;
  releaseEmail(account: Account, now: Date): Promise<void>;
  setTotp(accountId: string, totp: TotpConfig | undefined, now: Date): Promise<WriteOutcome>;
  markCodeReceived(accountId: string, at: string): Promise<void>;
  routeByPhone(phoneNumber: string): Promise<string | undefined>;
  routeByEmail(address: string): Promise<string | undefined>;
}

export interface InboxRepository {
  /** Stores once per natural id: false when this message was stored before (a replayed event). */
  /** `notified: true` stores a message that announces nothing as already notified (no second write). */
  store(
    message: InboxMessage,
    retentionDays: number,
    options?: { notified?: boolean },
  ): Promise<{ stored: boolean; notified: boolean }>;
  markNotified(message: InboxMessage): Promise<void>;
  list(
    accountIds: string[],
    options: { limit: number; cursor?: string | undefined; since: Date },
  ): Promise<{ items: InboxMessage[]; nextCursor: string | null }>;
  deleteAll(accountId: string): Promise<void>;
}

export type PhoneNumberType = 'voip' | 'non_voip';

/** AWS End User Messaging SMS (Pinpoint SMS Voice v2): numbers that receive two-way SMS. */
export interface PhoneNumbers {
  request(type: PhoneNumberType, accountId: string): Promise<{ phoneNumber: string; phoneNumberId: string }>;
  release(phoneNumberId: string): Promise<void>;
}

/** Raw inbound email objects (S3 in AWS, an in-memory store locally). */
export interface BlobStore {
  get(key: string, maxBytes: number): Promise<{ body: Buffer; truncated: boolean } | undefined>;
}
