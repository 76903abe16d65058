import type { Account, EncryptedSecret } from '../accounts/model';
import type { DomainEvent } from '../events';
import type { PasswordVersion, PasswordVersionStatus, Rotation, RotationPolicy } from './model';

/**
 * Side effects that commit in the same transaction as a rotation's transition (and only if the
 * rotation still has the revision the worker read): the no-loss rule lives in this atomicity.
 */
export type RotationEffect =
  | { type: 'putVersion'; version: PasswordVersion }
  | { type: 'versionStatus'; version: number; status: PasswordVersionStatus }
  | { type: 'markChanging'; at: string }
  | {
      type: 'promotePassword';
      secret: EncryptedSecret;
      version: number;
      fromVersion: number;
      nextDueAt?: string;
    }
  | { type: 'promoteTotp'; seed: EncryptedSecret }
  | { type: 'release' };

export interface RotationRepository {
  /**
   * The rotation, the account's "one at a time" marker and the job's outbox event in one
   * transaction; `in_progress` when the account already has an active rotation. With `claim`, a
   * claim item (`ACCOUNT#<id>` / `ROTATION_CLAIM#<claim>`) is created in the same transaction:
   * `duplicate` when it exists already (a redelivered trigger queues nothing twice).
   */
  start(
    rotation: Rotation,
    job: DomainEvent,
    options?: { dueAt?: string; claim?: string },
  ): Promise<'applied' | 'in_progress' | 'missing' | 'duplicate'>;
  get(accountId: string, rotationId: string): Promise<Rotation | undefined>;
  list(accountId: string): Promise<Rotation[]>;
  /** Writes `next` if the stored rotation still has `current.rev`, with the effects; undefined when it lost. */
  save(current: Rotation, next: Rotation, effects?: RotationEffect[]): Promise<Rotation | undefined>;
  versions(accountId: string): Promise<PasswordVersion[]>;
  /** The sealed password of version `n` (the account's own item for the current version of old accounts). */
  sealedPassword(accountId: string, version: number): Promise<EncryptedSecret | undefined>;
  getPolicy(accountId: string): Promise<RotationPolicy | undefined>;
  putPolicy(
    account: Account,
    policy: RotationPolicy,
    nextDueAt: string | undefined,
    now: Date,
  ): Promise<boolean>;
  getWorkspacePolicy(workspaceId: string): Promise<RotationPolicy | undefined>;
  putWorkspacePolicy(workspaceId: string, policy: RotationPolicy, now: Date): Promise<void>;
  /** Marks the account due at `dueAt` (sparse index), unless an earlier due time is already set. */
  markDue(accountId: string, dueAt: string): Promise<void>;
  /** Takes the account out of the due index (an account that can no longer be rotated). */
  clearDue(accountId: string): Promise<void>;
  /** Accounts due at or before `now`, oldest first, from the sparse index only. */
  due(now: Date, limit: number): Promise<Array<{ accountId: string; dueAt: string }>>;
}

/** What a connector is asked to do; it receives version numbers, never a clear password. */
export interface ConnectorRequest {
  op: 'change_password' | 'check_login' | 'enroll_totp';
  appId: string;
  accountId: string;
  username: string;
  /** The password version to log in with (the one the app has now, for a change). */
  passwordVersion: number;
  /** change_password: the sealed pending version to set. */
  newVersion?: number;
  /** enroll_totp / check_login during an enrolment: the rotation whose sealed pending seed to use. */
  rotationId?: string;
  /** check_login: also send the TOTP code of the account's (or the pending) seed. */
  totp?: 'account' | 'pending';
}

export interface ConnectorResult {
  ok: boolean;
  /** Why not, in words safe for logs and the rotation record (never a secret). */
  detail?: string;
  /** The app refused for good (a webhook answered `failed`): no further attempt is made. */
  final?: boolean;
}

export interface Connector {
  /** Throws ConnectorError when the app failed or did not answer in time. */
  run(request: ConnectorRequest): Promise<ConnectorResult>;
}
