import type { EncryptedSecret } from '../accounts/model';

export interface GeneratorSettings {
  length: number;
  lowercase: boolean;
  uppercase: boolean;
  digits: boolean;
  symbols: boolean;
  /** Characters never generated (look-alikes, characters a form mangles). */
  exclude?: string;
}

export const DEFAULT_GENERATOR: GeneratorSettings = {
  length: 24,
  lowercase: true,
  uppercase: true,
  digits: true,
  symbols: true,
  exclude: '',
};

export interface RotationPolicy {
  /** Rotate every N days (null: never on a schedule). */
  everyDays: number | null;
  /** Rotate after each successful login, `afterLoginDelayMinutes` later. */
  afterLogin: boolean;
  afterLoginDelayMinutes: number;
  generator: GeneratorSettings;
}

export const DEFAULT_POLICY: RotationPolicy = {
  everyDays: null,
  afterLogin: false,
  afterLoginDelayMinutes: 60,
  generator: DEFAULT_GENERATOR,
};

export const ROTATION_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RotationStatus = (typeof ROTATION_STATUSES)[number];

/**
 * The steps in order. `seal`: generate and store the new secret sealed as the pending version (nothing
 * has touched the app yet); `change`: the connector changes it at the app; `verify`: a login with it;
 * `promote`: it becomes current (previous versions stay). `done` once the rotation ended.
 */
export const ROTATION_STEPS = ['seal', 'change', 'verify', 'promote', 'done'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** `password`: a password rotation; `mfa`: one-click TOTP enrolment (the seed is the new secret). */
export type RotationKind = 'password' | 'mfa';
export const ROTATION_TRIGGERS = [
  'manual',
  'schedule',
  'after_login',
  'universal_logout',
  'deprovisioning',
] as const;
export type RotationTrigger = (typeof ROTATION_TRIGGERS)[number];

export interface StepRecord {
  step: RotationStep;
  outcome: 'done' | 'failed' | 'rolled_forward' | 'skipped';
  at: string;
  attempt: number;
  detail?: string;
}

export interface Rotation {
  id: string;
  accountId: string;
  workspaceId: string;
  kind: RotationKind;
  trigger: RotationTrigger;
  status: RotationStatus;
  step: RotationStep;
  /** Connector attempts so far (change and verify); at `maxAttempts` the rotation ends. */
  attempts: number;
  maxAttempts: number;
  /** The password version the app had when the rotation started. */
  fromVersion: number;
  /** The sealed pending version (set by `seal`). */
  pendingVersion?: number;
  /** mfa: the new TOTP seed, sealed before the app is told. */
  pendingSeed?: EncryptedSecret;
  steps: StepRecord[];
  error?: string;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Optimistic revision: every transition is conditional on the revision it read. */
  rev: number;
  /** A worker holds the rotation until then (its connector call is time-boxed well inside it). */
  leaseUntil?: string;
  /**
   * Set with `failed`, cleared once the owners' emails went out: a delivery of the job that finds it
   * set sends them (SES was failing), so the failure email is retried with the job, never dropped.
   */
  ownersEmailPending?: boolean;
}

export type PasswordVersionStatus = 'current' | 'previous' | 'pending' | 'abandoned';

export interface PasswordVersion {
  accountId: string;
  version: number;
  status: PasswordVersionStatus;
  secret: EncryptedSecret;
  /** What the version holds: an account password, or a TOTP seed being enrolled. */
  kind: RotationKind;
  rotationId?: string;
  createdBy: string;
  createdAt: string;
}

/** The account's marker while a rotation runs: one at a time, and grants read `changingSince`. */
export interface ActiveRotation {
  id: string;
  kind: RotationKind;
  startedAt: string;
  /** Set when the connector starts changing the app: from then the password may be either version. */
  changingSince?: string;
}

export const MAX_ATTEMPTS = 3;
